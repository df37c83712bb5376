import { request } from '../support/contract';
import { TestDatabase } from '../support/test-database';
import { startTestApp, TestApp } from '../support/test-app';
import { describeWithRedis } from '../support/test-environment';

// /api/auth/me answers 401 without a token: a cheap route under the general per-IP limit.
const probe = (t: TestApp, forwardedFor?: string) => {
  const req = request(t.server).get('/api/auth/me');
  return forwardedFor ? req.set('X-Forwarded-For', forwardedFor) : req;
};

describe('the general per-IP rate limit', () => {
  it('answers 429 with Retry-After and the error shape past RATE_LIMIT_PER_MINUTE', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: '' } });
    try {
      for (let i = 0; i < 3; i++) await probe(t).expect(401);
      const limited = await probe(t).set('X-Request-ID', 'limited').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({
        statusCode: 429,
        error: 'Too Many Requests',
        requestId: 'limited',
      });
    } finally {
      await t.close();
    }
  });

  it('tells clients apart behind a trusted proxy by X-Forwarded-For', async () => {
    const t = await startTestApp({
      env: { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback', REDIS_URL: '' },
    });
    try {
      await probe(t, '198.51.100.1').expect(401);
      await probe(t, '198.51.100.1').expect(401);
      await probe(t, '198.51.100.1').expect(429);
      await probe(t, '198.51.100.2').expect(401);
    } finally {
      await t.close();
    }
  });
});

describeWithRedis('the rate limit with Redis', () => {
  it('is shared by every instance of one deployment', async () => {
    const database = await TestDatabase.create();
    const env = {
      RATE_LIMIT_PER_MINUTE: '4',
      REDIS_KEY_PREFIX: `test:shared-limit:${Date.now()}:`,
    };
    const a = await startTestApp({ database, env });
    const b = await startTestApp({ database, env });
    try {
      await probe(a).expect(401);
      await probe(b).expect(401);
      await probe(a).expect(401);
      await probe(b).expect(401);
      await probe(a).expect(429);
      await probe(b).expect(429);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.drop();
    }
  });
});
