import { request } from '../support/contract';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';

describe('readiness', () => {
  describe('with a Redis that goes away and comes back', () => {
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

    it('reports PostgreSQL and Redis up', async () => {
      const res = await eventually(() => request(t.server).get('/health/ready').expect(200));
      expect(res.body.details).toEqual({ database: { status: 'up' }, redis: { status: 'up' } });
    });

    it('answers 503 naming Redis while it is down, and 200 once it is back', async () => {
      await redis.stop();
      const down = await eventually(() => request(t.server).get('/health/ready').expect(503));
      expect(down.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Not ready: redis unavailable',
        failed: ['redis'],
        checks: { database: { status: 'up' }, redis: { status: 'down' } },
      });
      expect(typeof down.body.requestId).toBe('string');
      // Liveness is not readiness: the process itself is fine.
      await request(t.server).get('/health').expect(200);
      // Rate-limited routes keep answering (counted in memory meanwhile), never a 500.
      await request(t.server).get('/api/auth/me').expect(401);

      await redis.resume();
      await eventually(() => request(t.server).get('/health/ready').expect(200), 15_000);
    });
  });

  it('reports only PostgreSQL when REDIS_URL is unset', async () => {
    const t = await startTestApp({ env: { REDIS_URL: '' } });
    try {
      const res = await request(t.server).get('/health/ready').expect(200);
      expect(res.body.details).toEqual({ database: { status: 'up' } });
    } finally {
      await t.close();
    }
  });

  it('starts but is not ready when the configured Redis never answers', async () => {
    const t = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
    try {
      const res = await request(t.server).get('/health/ready').expect(503);
      expect(res.body.failed).toEqual(['redis']);
    } finally {
      await t.close();
    }
  });
});
