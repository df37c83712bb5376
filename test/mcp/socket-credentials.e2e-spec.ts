import { request } from '../support/contract';
import type { AuthRefreshAck } from '../../src/mcp/chat.types';
import { fundedUser } from '../support/credit-users';
import { FakeClock } from '../support/fake-clock';
import { chat, ending, McpClient } from '../support/mcp-client';
import { insertUser, loginOf } from '../support/users';
import { useChatApp } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Hello' }];
let n = 0;
const rid = () => `sock-${++n}`;

const refreshAuth = (socket: McpClient, token: string) =>
  new Promise<AuthRefreshAck>((resolve) => socket.emit('auth:refresh', { token }, resolve));

/** A round trip through the server: what it sent before this has arrived. */
const roundTrip = (socket: McpClient) =>
  new Promise((resolve) => socket.emit('chat:cancel', { request_id: 'none' }, resolve));

describe('S-03 JWT sockets end when their access token expires (fake clock)', () => {
  const clock = new FakeClock();
  // An hour between polls: only the timer at the token's expiry can end the socket in time.
  const app = useChatApp({ MCP_REVALIDATE_INTERVAL: '1h', JWT_ACCESS_TTL: '60s' }, clock);

  it('S-03 the socket gets chat:error UNAUTHENTICATED, then is disconnected, when its JWT expires', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await app.connect((await loginOf(app.t, user)).accessToken);
    const end = ending(socket);
    clock.advance(59_000);
    await roundTrip(socket);
    expect(socket.connected).toBe(true);
    clock.advance(1_000);
    expect(await end).toEqual({
      error: expect.objectContaining({ code: 'UNAUTHENTICATED', cost: '0' }) as unknown,
      reason: 'io server disconnect',
    });
  });

  it('S-03 auth:refresh with a fresh token of the same user keeps the connection past the old expiry', async () => {
    const user = await fundedUser(app.t, '10');
    const login = await loginOf(app.t, user);
    const socket = await app.connect(login.accessToken);
    clock.advance(30_000);
    // Someone else's token is refused and changes nothing.
    const stranger = await insertUser(app.t.database);
    expect(await refreshAuth(socket, (await loginOf(app.t, stranger)).accessToken)).toMatchObject({
      ok: false,
      code: 'UNAUTHENTICATED',
    });
    const fresh = await loginOf(app.t, user);
    const ack = await refreshAuth(socket, fresh.accessToken);
    expect(ack).toEqual({
      ok: true,
      expires_at: new Date(clock.now().getTime() + 60_000).toISOString(),
    });

    clock.advance(45_000); // past the first token's expiry, before the fresh one's
    const out = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
    expect(out.ack).toEqual({ ok: true, conversation_id: expect.any(String) });
    expect(socket.connected).toBe(true);

    const end = ending(socket);
    clock.advance(15_000);
    expect((await end).error.code).toBe('UNAUTHENTICATED');
  });
});

describe('S-03 JWT sockets end when their login is revoked (no polling in time)', () => {
  const app = useChatApp({ MCP_REVALIDATE_INTERVAL: '1h' });

  it('S-03 logout disconnects the sockets of that login at once, not those of another login', async () => {
    const user = await fundedUser(app.t, '10');
    const phone = await loginOf(app.t, user);
    const laptop = await loginOf(app.t, user);
    const phoneSocket = await app.connect(phone.accessToken);
    const laptopSocket = await app.connect(laptop.accessToken);
    const end = ending(phoneSocket);
    await request(app.t.server)
      .post('/api/auth/logout')
      .send({ refresh_token: phone.refreshToken })
      .expect(204);
    expect(await end).toMatchObject({
      error: { code: 'UNAUTHENTICATED' },
      reason: 'io server disconnect',
    });
    await roundTrip(laptopSocket);
    expect(laptopSocket.connected).toBe(true);
  });

  it('S-03 a reused refresh token (its family revoked) disconnects the sockets of that login', async () => {
    const user = await fundedUser(app.t, '10');
    const login = await loginOf(app.t, user);
    const socket = await app.connect(login.accessToken);
    const end = ending(socket);
    await request(app.t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: login.refreshToken })
      .expect(200);
    await request(app.t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: login.refreshToken })
      .expect(401);
    expect((await end).error.code).toBe('UNAUTHENTICATED');
  });

  it('S-03 the user sees the socket’s login among their sessions and can end it', async () => {
    const user = await fundedUser(app.t, '10');
    const chatLogin = await loginOf(app.t, user);
    const web = await loginOf(app.t, user);
    const socket = await app.connect(chatLogin.accessToken);
    const end = ending(socket);
    const auth = { Authorization: `Bearer ${web.accessToken}` };

    const listed = await request(app.t.server).get('/api/auth/sessions').set(auth).expect(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: chatLogin.loginId, kind: 'login' }),
        expect.objectContaining({ id: user.sessionId, kind: 'verified' }),
      ]),
    );
    await request(app.t.server)
      .delete(`/api/auth/sessions/${chatLogin.loginId}`)
      .set(auth)
      .expect(204);
    expect((await end).error.code).toBe('UNAUTHENTICATED');
    await request(app.t.server)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${chatLogin.accessToken}`)
      .expect(401);
    // Someone else cannot end it: another user's login id reads as unknown.
    const other = await insertUser(app.t.database);
    const theirs = await loginOf(app.t, other);
    await request(app.t.server)
      .delete(`/api/auth/sessions/${theirs.loginId}`)
      .set(auth)
      .expect(404);
    await request(app.t.server)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${theirs.accessToken}`)
      .expect(200);
  });
});
