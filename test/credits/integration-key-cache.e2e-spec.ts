import { randomUUID } from 'node:crypto';
import { IntegrationKeyRepository } from '../../src/integration-keys/integration-key.repository';
import { IntegrationKeysService } from '../../src/integration-keys/integration-keys.service';
import { ADMIN_TEST_ENV, adminApi, userWithToken } from '../support/admin';
import { asSora2, CREDITS_TEST_ENV, topUp } from '../support/credits';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';
import { request } from '../support/contract';

describe('integration keys from the in-process cache: revocation still takes effect at once', () => {
  let redis: PrivateRedisServer;
  let a: TestApp;
  let b: TestApp;
  let userId: string;

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    const env = {
      ...CREDITS_TEST_ENV,
      ...ADMIN_TEST_ENV,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    };
    a = await startTestApp({ env });
    b = await startTestApp({ env, database: a.database });
    userId = (await insertUser(a.database)).id;
    await topUp(a, userId, '100');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis.stop();
  });

  const check = (t: TestApp, key: string) =>
    request(t.server)
      .post('/api/mcp/v1/credits/check')
      .set({ 'X-API-Key': key, 'X-User-ID': userId })
      .send({ service: 's', cost: 1 });

  async function newKey(): Promise<{ id: string; key: string }> {
    const created = await a.app.get(IntegrationKeysService).create({
      name: `cached-${randomUUID().slice(0, 8)}`,
      scopes: ['credits:check'],
      userScope: 'all',
    });
    return { id: created.id, key: created.key };
  }

  it('serves a known key without PostgreSQL, and a revocation on one instance is refused on the other at once', async () => {
    const { id, key } = await newKey();
    await check(a, key).expect(200);
    await check(b, key).expect(200);
    const lookups = jest.spyOn(b.app.get(IntegrationKeyRepository), 'findActiveByHash');
    for (let i = 0; i < 5; i++) await check(b, key).expect(200);
    expect(lookups).not.toHaveBeenCalled();
    lookups.mockRestore();

    const admin = await userWithToken(a, { role: 'admin' });
    await adminApi(a, admin).delete(`/api-keys/${id}`).expect(200);
    // No wait: the very next request on either instance is refused.
    await check(b, key).expect(401);
    await check(a, key).expect(401);
    await asSora2(b, 'check', userId, { service: 's', cost: 1 }).expect(200);
  });

  it('while Redis is down every call reads PostgreSQL, so a key revoked then never works, before or after Redis returns', async () => {
    const { id, key } = await newKey();
    const other = await newKey();
    await check(b, key).expect(200);
    await check(b, other.key).expect(200);

    await redis.stop();
    // Revoked while Redis cannot be told: instance b must not answer from its cache.
    await a.app.get(IntegrationKeysService).revoke(id);
    await check(b, key).expect(401);
    await check(b, other.key).expect(200);

    await redis.resume();
    await check(b, key).expect(401);
    await check(a, key).expect(401);
    await check(b, other.key).expect(200);
  });
});
