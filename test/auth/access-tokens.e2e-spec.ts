import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { Response } from 'supertest';
import { request } from '../support/contract';
import { IntegrationKeysService } from '../../src/integration-keys/integration-keys.service';
import { SessionService } from '../../src/session/session.service';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser, loginOf } from '../support/users';

const PASSWORD = 'correct horse 9';

interface TokenPairBody {
  access_token: string;
  refresh_token: string;
}

async function registerAndLogin(t: TestApp, email: string): Promise<TokenPairBody> {
  await request(t.server)
    .post('/api/auth/register')
    .send({ email, password: PASSWORD, name: 'Somchai' })
    .expect(202);
  return loginAs(t, email);
}

async function loginAs(t: TestApp, email: string): Promise<TokenPairBody> {
  const res = await request(t.server)
    .post('/api/auth/login')
    .send({ email, password: PASSWORD })
    .expect(200);
  return res.body as TokenPairBody;
}

const me = (t: TestApp, token: string, scheme = 'Bearer') =>
  request(t.server).get('/api/auth/me').set('Authorization', `${scheme} ${token}`);

describe('access tokens end with their login', () => {
  let t: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { JWT_SECRET: 'one secret shared by the two instances here' } });
    // A second instance of the same deployment (same database, same Redis).
    second = await startTestApp({
      database: t.database,
      env: { JWT_SECRET: 'one secret shared by the two instances here' },
    });
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('S-21 logout ends that login’s access tokens at once, on every instance; other logins live on', async () => {
    const email = `s21-${randomUUID()}@example.com`;
    const phone = await registerAndLogin(t, email);
    const laptop = await loginAs(t, email);
    await me(t, phone.access_token).expect(200);
    await me(second, phone.access_token).expect(200);

    await request(t.server)
      .post('/api/auth/logout')
      .send({ refresh_token: phone.refresh_token })
      .expect(204);

    const refused = await me(t, phone.access_token).expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401, message: 'Access token revoked' });
    await me(second, phone.access_token).expect(401);
    // The other login of the same account is untouched.
    await me(t, laptop.access_token).expect(200);
    await me(second, laptop.access_token).expect(200);
  });

  it('S-21 a reused refresh token ends the access tokens of its whole login', async () => {
    const email = `s21-reuse-${randomUUID()}@example.com`;
    const first = await registerAndLogin(t, email);
    const rotated = await request(t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: first.refresh_token })
      .expect(200);
    const next = rotated.body as TokenPairBody;
    await me(t, next.access_token).expect(200);

    // The old refresh token comes back (it was copied): the family is revoked.
    await request(t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: first.refresh_token })
      .expect(401);
    await me(t, first.access_token).expect(401);
    await me(second, next.access_token).expect(401);
  });

  it('accepts the Bearer scheme in any case (RFC 9110), and nothing but Bearer', async () => {
    const tokens = await registerAndLogin(t, `scheme-${randomUUID()}@example.com`);
    await me(t, tokens.access_token, 'bearer').expect(200);
    await me(t, tokens.access_token, 'BEARER').expect(200);
    await me(t, tokens.access_token, 'bEaReR').expect(200);
    await me(t, tokens.access_token, 'Basic').expect(401);
    await request(t.server)
      .get('/api/auth/me')
      .set('Authorization', tokens.access_token)
      .expect(401);
  });

  it('issue 13 #6: a validly signed JWT whose sub (or sid) is not a UUID → 401 on every JWT route', async () => {
    const jwt = t.app.get(JwtService);
    const user = await insertUser(t.database, { role: 'admin' });
    const { loginId } = await loginOf(t, user, 'admin');
    const forged = [
      await jwt.signAsync({ sub: 'not-a-uuid', sid: loginId, role: 'admin', typ: 'access' }),
      await jwt.signAsync({
        sub: `${user.id}' OR 1=1`,
        sid: loginId,
        role: 'admin',
        typ: 'access',
      }),
      await jwt.signAsync({ sub: 42, sid: loginId, role: 'admin', typ: 'access' }),
      await jwt.signAsync({ sub: user.id, sid: 'not-a-uuid', role: 'admin', typ: 'access' }),
      await jwt.signAsync({ sub: user.id, role: 'admin', typ: 'access' }),
    ];
    // Every operation of the OpenAPI document that takes a bearer token.
    const doc = (await request(t.server).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, op]) => op.security?.some((s) => 'bearer' in s))
        .map(([method, op]) => ({ method, path: path.replace(/\{[^}]+\}/g, randomUUID()), op })),
    );
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, path } of routes) {
      for (const token of forged) {
        const res = await request(t.server)
          [method as 'get']('' + path)
          .set('Authorization', `Bearer ${token}`)
          .send({});
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
      }
    }
  });
});

describe('S-21 revocations never depend on Redis', () => {
  let redis: PrivateRedisServer;
  let t: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('S-21 a token logged out while Redis is down stays refused after Redis returns', async () => {
    const email = `s21-redis-${randomUUID()}@example.com`;
    const tokens = await registerAndLogin(t, email);
    await me(t, tokens.access_token).expect(200);
    await redis.stop();
    await request(t.server)
      .post('/api/auth/logout')
      .send({ refresh_token: tokens.refresh_token })
      .expect(204);
    await me(t, tokens.access_token).expect(401);
    await redis.resume();
    await me(t, tokens.access_token).expect(401);
  });
});

describe('S-15 responses with tokens or secrets are not stored by caches', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const noStore = (res: Response) => {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  };

  it('S-15 login, refresh, verify-session, the session claim and API-key creation say no-store', async () => {
    const email = `s15-${randomUUID()}@example.com`;
    await request(t.server)
      .post('/api/auth/register')
      .send({ email, password: PASSWORD, name: 'Somchai' })
      .expect(202);
    const login = await request(t.server)
      .post('/api/auth/login')
      .send({ email, password: PASSWORD })
      .expect(200);
    noStore(login);
    const refresh = await request(t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: login.body.refresh_token })
      .expect(200);
    noStore(refresh);

    const user = await insertUser(t.database);
    const session = await t.app.get(SessionService).createForUser({ userId: user.id });
    noStore(
      await request(t.server)
        .get('/api/auth/verify-session')
        .set('X-Session-Token', session.token)
        .expect(200),
    );

    const admin = await insertUser(t.database, { role: 'admin' });
    const { accessToken } = await loginOf(t, admin, 'admin');
    const created = await request(t.server)
      .post('/api/admin/api-keys')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ name: 'claimer', scopes: ['sessions:claim'] })
      .expect(201);
    noStore(created);

    const key = (
      await t.app.get(IntegrationKeysService).create({ name: 's15', scopes: ['sessions:claim'] })
    ).key;
    const pendingId = `s15-${randomUUID()}`;
    const sessions = t.app.get(SessionService);
    await sessions.registerPendingLogin(pendingId, 'b'.repeat(64));
    await sessions.createForUser({ userId: user.id, thirdPartySessionId: pendingId });
    await sessions.completePendingLogin(pendingId, user.id, 'b'.repeat(64));
    const claimed = await request(t.server)
      .post('/api/auth/sessions/claim')
      .set('X-API-Key', key)
      .send({ session: pendingId })
      .expect(200);
    expect(claimed.body.session_token).toMatch(/^VERIFIED-/);
    noStore(claimed);
  });
});
