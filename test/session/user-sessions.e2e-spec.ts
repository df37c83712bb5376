import { request } from '../support/contract';
import { IntegrationKeysService } from '../../src/integration-keys/integration-keys.service';
import { SessionService } from '../../src/session/session.service';
import { CREDITS_TEST_ENV, SORA2_KEY } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser, loginOf } from '../support/users';

describe('a user managing their own sessions', () => {
  let t: TestApp;
  let sessions: SessionService;

  beforeAll(async () => {
    t = await startTestApp();
    sessions = t.app.get(SessionService);
  });
  afterAll(() => t.close());

  it('lists live sessions without tokens, revokes one, then all; others are 404', async () => {
    const me = await insertUser(t.database);
    const other = await insertUser(t.database);
    const { accessToken: token, loginId } = await loginOf(t, me);
    const first = await sessions.createForUser({
      userId: me.id,
      clientName: 'sora2',
      ip: '203.0.113.9',
      userAgent: 'UA/1',
    });
    const second = await sessions.createForUser({ userId: me.id });
    const theirs = await sessions.createForUser({ userId: other.id });
    const auth = { Authorization: `Bearer ${token}` };

    const listed = await request(t.server).get('/api/auth/sessions').set(auth).expect(200);
    expect(listed.body.map((s: { id: string }) => s.id).sort()).toEqual(
      [first.sessionId, second.sessionId, loginId].sort(),
    );
    expect(listed.body.find((s: { id: string }) => s.id === loginId)).toMatchObject({
      kind: 'login',
    });
    expect(listed.body.find((s: { id: string }) => s.id === first.sessionId)).toMatchObject({
      kind: 'verified',
      client_name: 'sora2',
      ip: '203.0.113.9',
      user_agent: 'UA/1',
      last_used_at: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(first.token.slice(9));

    await request(t.server).delete(`/api/auth/sessions/${theirs.sessionId}`).set(auth).expect(404);
    await request(t.server).delete(`/api/auth/sessions/${first.sessionId}`).set(auth).expect(204);
    await request(t.server)
      .get('/api/auth/verify-session')
      .set('X-Session-Token', first.token)
      .expect(401);
    await request(t.server)
      .get('/api/auth/verify-session')
      .set('X-Session-Token', theirs.token)
      .expect(200);

    const all = await request(t.server).delete('/api/auth/sessions').set(auth).expect(200);
    expect(all.body).toEqual({ revoked: 1 });
    await request(t.server)
      .get('/api/auth/verify-session')
      .set('X-Session-Token', second.token)
      .expect(401);
    // What is left is the caller's own login.
    expect(
      (await request(t.server).get('/api/auth/sessions').set(auth).expect(200)).body,
    ).toMatchObject([{ id: loginId, kind: 'login' }]);
  });

  it('requires an access token', async () => {
    await request(t.server).get('/api/auth/sessions').expect(401);
    await request(t.server)
      .delete('/api/auth/sessions')
      .set('Authorization', 'Bearer nope')
      .expect(401);
  });
});

describe('POST /api/auth/sessions/claim (device-flow style)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: CREDITS_TEST_ENV });
  });
  afterAll(() => t.close());

  const claim = (session: string, key = SORA2_KEY) =>
    request(t.server).post('/api/auth/sessions/claim').set('X-API-Key', key).send({ session });

  it('says pending, then hands the token over exactly once, then 410', async () => {
    const sessions = t.app.get(SessionService);
    const user = await insertUser(t.database, { name: 'Malee' });
    await claim('sora2-abc').expect(404);

    const browser = 'b'.repeat(64); // the starting browser's cookie hash
    await sessions.registerPendingLogin('sora2-abc', browser); // what GET /api/auth/google?session=… does
    expect((await claim('sora2-abc').expect(202)).body).toEqual({ status: 'pending' });

    // The callback, in the browser that started the login:
    await sessions.createForUser({ userId: user.id, thirdPartySessionId: 'sora2-abc' });
    await sessions.completePendingLogin('sora2-abc', user.id, browser);
    const [a, b] = await Promise.all([claim('sora2-abc'), claim('sora2-abc')]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 410]);
    const delivered = a.status === 200 ? a : b;
    expect(delivered.body).toMatchObject({
      session_token: expect.stringMatching(/^VERIFIED-/),
      user: { id: user.id, name: 'Malee' },
      expires_at: expect.any(String),
    });
    const verified = await request(t.server)
      .get('/api/auth/verify-session')
      .set('X-Session-Token', delivered.body.session_token)
      .expect(200);
    expect(verified.body.user.id).toBe(user.id);
    const [row] = await t.database.query<{ client_name: string }>(
      `SELECT client_name FROM sessions WHERE third_party_session_id = 'sora2-abc' AND client_name IS NOT NULL`,
    );
    expect(row.client_name).toBe('sora2');
    expect((await claim('sora2-abc').expect(410)).body.reason).toBe('delivered');
  });

  it('refuses callers without a key or with a bad session id', async () => {
    await request(t.server).post('/api/auth/sessions/claim').send({ session: 'x' }).expect(401);
    await claim('x', 'sah_wrong_key_0123456789abcdef').expect(401);
    await claim('has spaces').expect(400);
    const { key } = await t.app
      .get(IntegrationKeysService)
      .create({ name: 'checker', scopes: ['credits:check'] });
    expect((await claim('x', key).expect(403)).body.requiredScope).toBe('sessions:claim');
  });
});
