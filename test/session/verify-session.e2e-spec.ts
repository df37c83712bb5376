import { request } from '../support/contract';
import { SessionService } from '../../src/session/session.service';
import { hashSessionToken } from '../../src/session/session-token';
import { eventually } from '../support/eventually';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser, TestUser } from '../support/users';

describe('GET /api/auth/verify-session', () => {
  const clock = new FakeClock('2026-03-01T12:00:00Z');
  let t: TestApp;
  let sessions: SessionService;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { SESSION_VERIFY_FAILURES_PER_MINUTE: '1000' } });
    sessions = t.app.get(SessionService);
    user = await insertUser(t.database, { email: 'somchai@example.test', name: 'Somchai' });
  });
  afterAll(() => t.close());

  const verify = (token?: string) => {
    const req = request(t.server).get('/api/auth/verify-session');
    return token === undefined ? req : req.set('X-Session-Token', token);
  };

  it('returns the user and expiresAt as the seeds show, with expires_at beside it', async () => {
    const { token, expiresAt } = await sessions.createForUser({
      userId: user.id,
      returnTo: 'chatgpt',
    });
    const res = await verify(token).expect(200);
    expect(expiresAt.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(res.body).toEqual({
      success: true,
      user: {
        id: user.id,
        email: 'somchai@example.test',
        name: 'Somchai',
        expires_at: '2026-03-08T12:00:00.000Z',
      },
      expires_at: '2026-03-08T12:00:00.000Z',
      expiresAt: '2026-03-08T12:00:00.000Z',
    });
  });

  it.each([
    ['a missing header', 401, 'Missing session token', undefined],
    ['an empty header', 401, 'Missing session token', ''],
    ['a malformed token', 401, 'Invalid session token', 'VERIFIED-not-a-real-token'],
    ['an unknown token', 404, 'Session not found', `VERIFIED-${'A'.repeat(43)}`],
  ])('answers %s with %i %s', async (_label, status, error, token) => {
    const res = await verify(token).set('X-Request-ID', 'verify-probe').expect(status);
    expect(res.body).toEqual({
      statusCode: status,
      error,
      message: error,
      requestId: 'verify-probe',
    });
  });

  it('lets a never-verified code die after 10 minutes', async () => {
    const { token } = await sessions.createForUser({ userId: user.id });
    clock.advanceMinutes(10);
    const res = await verify(token).expect(401);
    expect(res.body.error).toBe('Session expired');
  });

  it('keeps a code verified within 10 minutes alive until 7 days after creation', async () => {
    const { token } = await sessions.createForUser({ userId: user.id });
    clock.advanceMinutes(9);
    await verify(token).expect(200);
    const [row] = await t.database.query<{ claimed_at: Date }>(
      'SELECT claimed_at FROM sessions WHERE token_hash = $1',
      [hashSessionToken(token)],
    );
    expect(row.claimed_at).toEqual(clock.now());
    clock.advanceDays(6);
    await verify(token).expect(200);
    clock.advanceDays(1);
    const res = await verify(token).expect(401);
    expect(res.body.error).toBe('Session expired');
  });

  it('sees a revocation at once, even with the session in the cache', async () => {
    const { token } = await sessions.createForUser({ userId: user.id });
    await verify(token).expect(200);
    await verify(token).expect(200);
    await sessions.revokeAllForUser(user.id, 'test');
    const res = await verify(token).expect(401);
    expect(res.body.error).toBe('Session revoked');
  });

  it('refuses the session of a disabled user', async () => {
    const other = await insertUser(t.database, { status: 'disabled' });
    const { token } = await sessions.createForUser({ userId: other.id });
    const res = await verify(token).expect(401);
    expect(res.body.error).toBe('User account disabled');
  });

  it('records last use at most once a minute', async () => {
    const { token, sessionId } = await sessions.createForUser({ userId: user.id });
    const lastUsed = async () =>
      (
        await t.database.query<{ last_used_at: Date }>(
          'SELECT last_used_at FROM sessions WHERE id = $1',
          [sessionId],
        )
      )[0].last_used_at;
    await verify(token).expect(200);
    const first = clock.now();
    clock.advance(30_000);
    await verify(token).expect(200);
    await eventually(async () => expect(await lastUsed()).toEqual(first));
    clock.advance(31_000);
    await verify(token).expect(200);
    const third = clock.now();
    await eventually(async () => expect(await lastUsed()).toEqual(third));
  });

  it('never logs a token or its hash', async () => {
    const { token } = await sessions.createForUser({ userId: user.id });
    await verify(token).expect(200);
    await verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')).expect(404);
    expect(t.logs.text).not.toContain(token.slice('VERIFIED-'.length));
    expect(t.logs.text).not.toContain(hashSessionToken(token));
    const refusal = t.logs.lines.find((line) =>
      line.includes('verify-session refused: Session not found'),
    );
    expect(refusal).toBeDefined();
    expect(JSON.parse(refusal!).req.id).toEqual(expect.any(String));
  });
});
