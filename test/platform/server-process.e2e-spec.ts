import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { generateSessionToken, hashSessionToken } from '../../src/session/session-token';
import { eventually } from '../support/eventually';
import { chat, closeMcp, connectMcp } from '../support/mcp-client';
import { fakeProviderEnv, startFakes } from '../mcp/mcp-test-env';
import { freePort } from '../support/free-port';
import { ServerProcess } from '../support/server-process';
import { TestDatabase } from '../support/test-database';

async function waitReady(port: number, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status !== 200) throw new Error(`ready answered ${res.status}`);
    },
    timeoutMs,
    250,
  );
}

const HELLO = [{ role: 'user', content: 'Say hello' }];

/** The test model `t-gpt` and a user with a VERIFIED session, straight into the database. */
async function seedChatUser(databaseUrl: string): Promise<{ id: string; token: string }> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    await pg.query(
      `INSERT INTO models (id, display_name, provider, upstream_model, input_price_per_1k, output_price_per_1k, max_output_tokens)
       VALUES ('t-gpt', 'Test GPT', 'openai', 'gpt-up', 1, 2, 4096) ON CONFLICT (id) DO NOTHING`,
    );
    const { rows } = await pg.query<{ id: string }>(
      `INSERT INTO users (email, name, email_verified) VALUES ($1, 'Ctrl C', true) RETURNING id`,
      [`ctrl-c-${Date.now()}@example.test`],
    );
    const token = generateSessionToken();
    await pg.query(
      `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, claimed_at)
       VALUES ($1, $2, now(), now() + interval '1 day', now())`,
      [hashSessionToken(token), rows[0].id],
    );
    return { id: rows[0].id, token };
  } finally {
    await pg.end();
  }
}

/** A PostgreSQL a failed test left running on `dataDir` (it runs in a process group of its own). */
function stopLeftOverPostgres(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    // already gone
  }
}

describe('the server process', () => {
  it('exits non-zero with one clear line for a malformed variable', async () => {
    const server = ServerProcess.start({ PORT: 'abc' });
    expect(await server.exitCode()).toBe(1);
    expect(server.output.trim()).toBe(
      'Configuration error: PORT="abc" is invalid: it must be an integer from 0 to 65535',
    );
  });

  it('refuses to start in production without DATABASE_URL and JWT_SECRET', async () => {
    const server = ServerProcess.start({ NODE_ENV: 'production' });
    expect(await server.exitCode()).toBe(1);
    expect(server.output).toMatch(
      /^Configuration error: DATABASE_URL is required when NODE_ENV=production/m,
    );
    expect(server.output).toMatch(
      /^Configuration error: JWT_SECRET is required when NODE_ENV=production/m,
    );
  });

  it('lets an in-flight request finish after SIGTERM, then exits 0', async () => {
    const database = await TestDatabase.create();
    const port = await freePort();
    const server = ServerProcess.start({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
    });
    try {
      await waitReady(port, 30_000);
      // A request whose body is still arriving when the signal comes: it must still be answered.
      const socket = connect(port, '127.0.0.1');
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      // `Expect: 100-continue`: the server answers `100 Continue` once it has read the headers,
      // so the test knows the request is in flight (no guess at how long that takes).
      const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
      const started = new Promise<void>((resolve) =>
        socket.on('data', () => response.startsWith(CONTINUE) && resolve()),
      );
      const body = JSON.stringify({ probe: 'in-flight' });
      socket.write(
        `POST /nowhere HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nX-Request-ID: in-flight\r\nConnection: close\r\n` +
          `Expect: 100-continue\r\n\r\n${body.slice(0, 5)}`,
      );
      await started;
      const exited = server.stop('SIGTERM');
      await eventually(() => expect(server.output).toContain('finishing in-flight requests'));
      socket.end(body.slice(5));
      await closed;
      expect(response.slice(CONTINUE.length)).toMatch(/^HTTP\/1\.1 404/);
      expect(response).toContain('"requestId":"in-flight"');
      expect(await exited).toBe(0);
    } finally {
      await server.stop();
      await database.drop();
    }
  });

  describe('on the embedded PostgreSQL (no DATABASE_URL)', () => {
    const dataRoot = mkdtempSync(join(tmpdir(), 'sah-embedded-'));
    // As root, the embedded server runs as the `postgres` user, which must reach its data folder.
    chmodSync(dataRoot, 0o755);

    const dataDir = join(dataRoot, 'postgres');
    afterAll(() => {
      stopLeftOverPostgres(dataDir);
      rmSync(dataRoot, { recursive: true, force: true });
    });

    async function startEmbedded(
      env: Record<string, string> = {},
    ): Promise<{ server: ServerProcess; port: number; databaseUrl: string }> {
      const port = await freePort();
      const pgPort = await freePort();
      const server = ServerProcess.start({
        PORT: String(port),
        HOST: '127.0.0.1',
        EMBEDDED_PG_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        ...env,
      });
      try {
        await waitReady(port, 60_000);
      } catch (error) {
        await server.stop();
        throw new Error(`not ready within 60 s: ${String(error)}\n${server.output}`);
      }
      const databaseUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/smart_ai_hub`;
      return { server, port, databaseUrl };
    }

    it('becomes ready, stops cleanly on SIGTERM and reuses its data on the next start', async () => {
      const first = await startEmbedded();
      expect(first.server.output).toContain('using the embedded PostgreSQL');
      expect(first.server.output).toContain('"reusedData":false');
      expect(first.server.output).toContain('single-instance mode');
      expect(await first.server.stop('SIGTERM')).toBe(0);
      expect(first.server.output).toContain('Shut down cleanly');

      const second = await startEmbedded();
      expect(second.server.output).toContain('"reusedData":true');
      expect(await second.server.stop('SIGINT')).toBe(0);
    }, 150_000);

    it('issue 13 item 8: Ctrl-C during a chat lets the chat finish and be charged, then stops PostgreSQL last', async () => {
      const fakes = await startFakes();
      try {
        // 30 chunks; Ctrl-C comes at the third, and the rest waits until the server has taken
        // the signal (so the chat is surely running when it does).
        fakes.openai.behave({
          chunks: Array.from({ length: 30 }, (_, i) => ` w${i}`),
          holdAfter: 3,
        });
        const { server, port, databaseUrl } = await startEmbedded({
          ...fakeProviderEnv(fakes),
          SIGNUP_BONUS_CREDITS: '10',
          SHUTDOWN_TIMEOUT: '20s',
          LOG_LEVEL: 'info',
        });
        const user = await seedChatUser(databaseUrl);
        const socket = await connectMcp(`http://127.0.0.1:${port}`, user.token);
        let exited: Promise<number | null> | undefined;
        const out = await chat(
          socket,
          { request_id: 'ctrl-c', model: 't-gpt', messages: HELLO },
          (c) => {
            if (c.index !== 2) return;
            exited = server.ctrlC();
            void eventually(() => expect(server.output).toContain('Shutting down')).then(() =>
              fakes.openai.release(),
            );
          },
        );
        closeMcp(socket);

        // The whole answer, charged (the capture needs PostgreSQL after the signal).
        expect(out.error).toBeUndefined();
        expect(out.chunks).toHaveLength(30);
        expect(Number(out.end!.cost)).toBeGreaterThan(0);
        expect(await exited).toBe(0);
        expect(server.output).toContain('"signal":"SIGINT"');
        expect(server.output).toContain('Embedded PostgreSQL stopped');
        expect(server.output).toContain('Shut down cleanly');
        // PostgreSQL shut down cleanly too: it removes its pid file last.
        expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

        // On the next start: one chat row of that cost, no hold left active.
        const next = await startEmbedded();
        try {
          const pg = new Client({ connectionString: next.databaseUrl });
          await pg.connect();
          const { rows: chats } = await pg.query<{ amount: string }>(
            `SELECT amount::text AS amount FROM credit_transactions WHERE user_id = $1 AND type = 'chat'`,
            [user.id],
          );
          const { rows: holds } = await pg.query(
            `SELECT id FROM credit_holds WHERE user_id = $1 AND status = 'active'`,
            [user.id],
          );
          await pg.end();
          expect(chats.map((r) => Number(r.amount))).toEqual([-Number(out.end!.cost)]);
          expect(holds).toEqual([]);
        } finally {
          expect(await next.server.stop('SIGTERM')).toBe(0);
        }
      } finally {
        await fakes.close();
      }
    }, 240_000);
  });
});
