import { request } from '../support/contract';
import { CacheStore } from '../../src/cache/cache.module';
import { SessionService } from '../../src/session/session.service';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser, TestUser } from '../support/users';

const verify = (t: TestApp, token: string) =>
  request(t.server).get('/api/auth/verify-session').set('X-Session-Token', token);

describe('sessions are durable in PostgreSQL, Redis only holds copies', () => {
  let redis: PrivateRedisServer;
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
    user = await insertUser(t.database);
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('caches verifications in Redis under the token hash, never the token', async () => {
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    await verify(t, token).expect(200);
    const keys = (await redis.command('KEYS', '*')) as string[];
    expect(keys.some((k) => k.includes('session:'))).toBe(true);
    expect(keys.join()).not.toContain(token.slice('VERIFIED-'.length));
  });

  it('still verifies after Redis is flushed', async () => {
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    await verify(t, token).expect(200);
    await redis.command('FLUSHALL');
    expect(await redis.command('KEYS', '*')).toEqual([]);
    await verify(t, token).expect(200);
  });

  it('still verifies from PostgreSQL while Redis is gone, and revocation still holds', async () => {
    const sessions = t.app.get(SessionService);
    const { token } = await sessions.createForUser({ userId: user.id });
    const doomed = await sessions.createForUser({ userId: user.id });
    await verify(t, token).expect(200);
    await redis.stop();
    try {
      await verify(t, token).expect(200);
      await sessions.revokeAllForUser(user.id, 'test');
      const res = await verify(t, doomed.token).expect(401);
      expect(res.body.error).toBe('Session revoked');
    } finally {
      await redis.resume();
    }
  });
});

describe('closing the app', () => {
  it('leaves no connection to Redis, even when a cache call or a reconnect comes after', async () => {
    const redis = await PrivateRedisServer.start();
    try {
      const t = await startTestApp({ env: { REDIS_URL: redis.url } });
      const user = await insertUser(t.database);
      const sessions = t.app.get(SessionService);
      await sessions.createForUser({ userId: user.id });
      // Remembered revocations are evicted again whenever Redis answers again.
      await sessions.revokeAllForUser(user.id, 'test');
      const store = t.app.get(CacheStore);
      await t.close();

      // What a client reconnecting during shutdown would set off, then a late cache call.
      store.guard!.recovered();
      await store.keyv.delete('late').catch(() => undefined);
      const clients = String(await redis.command('CLIENT', 'LIST'));
      expect(clients).not.toContain('name=smart-ai-hub');
    } finally {
      await redis.stop();
    }
  });
});

describe('the per-user session limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { MAX_SESSIONS_PER_USER: '10' } });
  });
  afterAll(() => t.close());

  it('never leaves more than 10 live sessions, even with 25 logins at once', async () => {
    const user = await insertUser(t.database);
    const sessions = t.app.get(SessionService);
    const created = await Promise.all(
      Array.from({ length: 25 }, () => sessions.createForUser({ userId: user.id })),
    );
    const live = await t.database.query<{ id: string }>(
      'SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at',
      [user.id],
    );
    expect(live).toHaveLength(10);
    const revoked = await t.database.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL',
      [user.id],
    );
    expect(revoked).toHaveLength(15);
    expect(new Set(revoked.map((r) => r.revoked_reason))).toEqual(new Set(['session_limit']));
    // The survivors are the 10 newest; an evicted token answers "revoked".
    const liveIds = new Set(live.map((r) => r.id));
    const evicted = created.find((c) => !liveIds.has(c.sessionId))!;
    expect((await verify(t, evicted.token).expect(401)).body.error).toBe('Session revoked');
  });
});

describe('failed verifications per client IP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { SESSION_VERIFY_FAILURES_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once guessing passes the limit, and counts no successes', async () => {
    const user = await insertUser(t.database);
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    for (let i = 0; i < 20; i++) await verify(t, token).expect(200);
    for (let i = 0; i < 5; i++)
      await verify(t, `VERIFIED-${String(i).padStart(43, 'x')}`).expect(404);
    const limited = await verify(t, `VERIFIED-${'y'.repeat(43)}`).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ statusCode: 429, retryAfterSeconds: expect.any(Number) });
    // While blocked, even a real token gets 429: a guess that happens to succeed must not show.
    await verify(t, token).expect(429);
  });
});
