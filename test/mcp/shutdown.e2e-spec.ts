import { fundedUser, ledgerOf } from '../support/credit-users';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { chat, closeMcp, connectMcp, McpClient } from '../support/mcp-client';
import { ServerProcess } from '../support/server-process';
import { TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { Fakes, fakeProviderEnv, insertTestModels, startFakes } from './mcp-test-env';

const SHUTDOWN_TIMEOUT_MS = 3_000;

describe('SIGTERM with chats open (issue 13, item 7)', () => {
  let database: TestDatabase;
  let fakes: Fakes;
  let helper: TestApp;
  let server: ServerProcess;
  let url: string;
  const sockets: McpClient[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create();
    fakes = await startFakes();
    // The same database through an in-process app: migrations, test models, users and sessions.
    helper = await startTestApp({ database, env: fakeProviderEnv(fakes) });
    await insertTestModels(helper);
    const port = await freePort();
    server = ServerProcess.start({
      ...fakeProviderEnv(fakes),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms`,
      MCP_IDLE_TIMEOUT: '30s',
      LOG_LEVEL: 'info',
    });
    url = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      const res = await fetch(`${url}/health/ready`);
      if (res.status !== 200) throw new Error(`ready answered ${res.status}`);
    }, 30_000);
  });

  afterAll(async () => {
    sockets.forEach(closeMcp);
    await server?.stop('SIGKILL');
    await helper?.close();
    await fakes?.close();
    await database?.drop();
  });

  it('lets a short chat finish, cancels and charges a long one, tells and disconnects the sockets, and exits within SHUTDOWN_TIMEOUT', async () => {
    const user = await fundedUser(helper, '10');
    const socket = await connectMcp(url, user.sessionToken);
    sockets.push(socket);
    // Anthropic (t-claude): 6 chunks over ~0.5 s. OpenAI (t-gpt): 200 chunks over ~20 s.
    fakes.anthropic.behave({
      chunks: Array.from({ length: 6 }, (_, i) => ` s${i}`),
      chunkDelayMs: 100,
    });
    fakes.openai.behave({
      chunks: Array.from({ length: 200 }, (_, i) => ` l${i}`),
      chunkDelayMs: 100,
    });
    const told = new Promise<unknown>((resolve) => socket.once('server:shutdown', resolve));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    let signalled: Promise<number | null> | undefined;
    let signalledAt = 0;
    const short = chat(socket, { request_id: 'short', model: 't-claude', messages: HELLO });
    const long = chat(socket, { request_id: 'long', model: 't-gpt', messages: HELLO }, (c) => {
      if (c.index === 1 && !signalled) {
        signalledAt = Date.now();
        signalled = server.stop('SIGTERM');
      }
    });
    await eventually(() => expect(server.output).toContain('Shutting down'));
    const late = await chat(socket, { request_id: 'late', model: 't-gpt', messages: HELLO });
    const [shortOut, longOut] = await Promise.all([short, long]);

    // Started after SIGTERM: refused.
    expect(late.ack).toMatchObject({ ok: false, code: 'PROVIDER_UNAVAILABLE' });
    // Running, and done within the grace: it settles normally.
    expect(shortOut.end).toMatchObject({ request_id: 'short', model: 't-claude' });
    expect(shortOut.chunks).toHaveLength(6);
    // Running past the grace: cancelled and charged for what was delivered.
    expect(longOut.error).toMatchObject({ request_id: 'long', code: 'CANCELLED' });
    expect(longOut.error!.message).toMatch(/shutting down/);
    expect(longOut.chunks.length).toBeGreaterThanOrEqual(2);
    expect(longOut.chunks.length).toBeLessThan(200);
    expect(Number(longOut.error!.cost)).toBeGreaterThan(0);
    await expect(told).resolves.toEqual({ message: expect.stringMatching(/shutting down/) });
    await expect(disconnected).resolves.toBe('io server disconnect');
    expect(await signalled).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2_000);
    expect(server.output).toContain('Shut down cleanly');

    // The delivered part was charged as one chat row, and no hold is left active.
    const ledger = await ledgerOf(helper, user.id);
    expect(ledger.chatRows.map((row) => row.amount)).toEqual([
      `-${Number(shortOut.end!.cost).toFixed(4)}`,
      `-${Number(longOut.error!.cost).toFixed(4)}`,
    ]);
    expect(ledger.balance).toBe(ledger.ledgerSum);
    const holds = await database.query(
      `SELECT status FROM credit_holds WHERE user_id = $1 AND status = 'active'`,
      [user.id],
    );
    expect(holds).toEqual([]);
  }, 60_000);
});

const HELLO = [{ role: 'user', content: 'Say hello' }];
