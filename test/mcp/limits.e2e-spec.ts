import { request } from '../support/contract';
import { SessionService } from '../../src/session/session.service';
import { fundedUser } from '../support/credit-users';
import { chat, closeMcp, connectMcp, McpClient, urlOf } from '../support/mcp-client';
import { startTestApp, TestApp } from '../support/test-app';
import { accessTokenFor, insertUser } from '../support/users';
import { useChatApp } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Hello' }];
let n = 0;
const rid = () => `lim-${++n}`;

/** Resolves when the socket is disconnected by the server. */
function disconnected(socket: McpClient): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

describe('Mcp limits, refused keys and revoked credentials', () => {
  const app = useChatApp({
    OPENAI_API_KEY: 'sk-refused-by-the-fake-0123456789',
    MCP_MAX_CONCURRENT_STREAMS: '2',
    MCP_MESSAGES_PER_MINUTE: '5',
    MCP_REVALIDATE_INTERVAL: '200ms',
  });
  const connect = (token: unknown) => app.connect(token);

  it('refuses a third concurrent stream of one user with TOO_MANY_STREAMS, across sockets', async () => {
    const user = await fundedUser(app.t, '10');
    const [a, b] = await Promise.all([connect(user.sessionToken), connect(user.sessionToken)]);
    app.fakes.anthropic.behave({ chunks: ['slow', ' one'] });
    app.fakes.anthropic.hold(); // both streams keep their slots until released
    const first = chat(a, { request_id: rid(), model: 't-claude', messages: HELLO });
    const second = chat(b, { request_id: rid(), model: 't-claude', messages: HELLO });
    await app.fakes.anthropic.arrived(2); // admitted: each holds a slot
    const third = await chat(b, { request_id: rid(), model: 't-claude', messages: HELLO });
    expect(third.ack).toMatchObject({ ok: false, code: 'TOO_MANY_STREAMS' });
    app.fakes.anthropic.release();
    expect((await first).end).toBeDefined();
    expect((await second).end).toBeDefined();
    // The slots are free again once the streams ended.
    app.fakes.anthropic.behave({});
    const later = await chat(a, { request_id: rid(), model: 't-claude', messages: HELLO });
    expect(later.end).toBeDefined();
  });

  it('limits chat:start messages per user and minute', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await connect(user.sessionToken);
    const acks = [];
    for (let i = 0; i < 6; i++) {
      acks.push(
        (await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO })).ack,
      );
    }
    expect(acks.slice(0, 5).every((ack) => ack.ok)).toBe(true);
    expect(acks[5]).toMatchObject({ ok: false, code: 'TOO_MANY_STREAMS' });
  });

  it('maps a refused upstream key to PROVIDER_AUTH_FAILED, logs it for the operator, never the key', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await connect(user.sessionToken);
    const out = await chat(socket, { request_id: rid(), model: 't-gpt', messages: HELLO });
    expect(out.error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', cost: '0' });
    expect(app.fakes.openai.requests).toHaveLength(1); // no retry of a 401
    const line = app.t.logs.lines.find((l) => l.includes('refused our API key'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: 50, provider: 'openai', status: 401 });
    expect(app.t.logs.text).not.toContain('sk-refused-by-the-fake');
  });

  it('disconnects a socket whose session is revoked', async () => {
    const user = await fundedUser(app.t, '1');
    const socket = await connect(user.sessionToken);
    const gone = disconnected(socket);
    await app.t.app.get(SessionService).revokeAllForUser(user.id, 'test');
    await expect(gone).resolves.toBe('io server disconnect');
    await expect(connectMcp(app.url, user.sessionToken)).rejects.toThrow('unauthorized');
  });

  it('disconnects a JWT socket when its user is disabled', async () => {
    const user = await fundedUser(app.t, '1');
    const jwt = await accessTokenFor(app.t, user);
    const socket = await connect(jwt);
    const gone = disconnected(socket);
    await app.t.database.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [user.id]);
    await expect(gone).resolves.toBe('io server disconnect');
  });
});

describe('Mcp sockets when credentials are revoked (no polling in time)', () => {
  // An hour between polls: only the revocation event can disconnect within the test.
  const app = useChatApp({ MCP_REVALIDATE_INTERVAL: '1h' });

  it('disconnects a session socket as soon as the session is revoked', async () => {
    const user = await fundedUser(app.t, '1');
    const socket = await app.connect(user.sessionToken);
    const gone = disconnected(socket);
    await app.t.app.get(SessionService).revokeAllForUser(user.id, 'test');
    await expect(gone).resolves.toBe('io server disconnect');
  });

  it('disconnects the JWT socket of a user an operator disables, at once', async () => {
    const user = await fundedUser(app.t, '1');
    const socket = await app.connect(await accessTokenFor(app.t, user));
    const admin = await insertUser(app.t.database, { role: 'admin' });
    const gone = disconnected(socket);
    await request(app.t.server)
      .patch(`/api/admin/users/${user.id}`)
      .set('Authorization', `Bearer ${await accessTokenFor(app.t, admin, 'admin')}`)
      .send({ status: 'disabled' })
      .expect(200);
    await expect(gone).resolves.toBe('io server disconnect');
  });
});

describe('Mcp without any provider key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { SIGNUP_BONUS_CREDITS: '0' } });
  });
  afterAll(() => t.close());

  it('answers PROVIDER_UNAVAILABLE naming the variables, and lists models as unavailable', async () => {
    const user = await fundedUser(t, '1');
    const socket = await connectMcp(urlOf(t.server), user.sessionToken);
    try {
      const out = await chat(socket, { request_id: 'x1', model: 'gpt-4o-mini', messages: HELLO });
      expect(out.ack).toEqual({
        ok: false,
        code: 'PROVIDER_UNAVAILABLE',
        message: 'No model provider is configured: set OPENAI_API_KEY and/or ANTHROPIC_API_KEY',
      });
    } finally {
      closeMcp(socket);
    }
    const res = await request(t.server).get('/api/mcp/v1/models').expect(200);
    const { models } = res.body as { models: { available: boolean }[] };
    expect(models.length).toBeGreaterThan(0);
    expect(models.every((m) => !m.available)).toBe(true);
  });
});
