import { request } from '../support/contract';
import { eventually } from '../support/eventually';
import { PrivatePostgresServer } from '../support/postgres-server';
import { startTestApp, TestApp } from '../support/test-app';

/** Issue 13 item 4: connection-class database errors are 503 + Retry-After, and pass by themselves. */
describe('database outage (issue 13 item 4)', () => {
  let pg: PrivatePostgresServer;
  let t: TestApp;

  beforeAll(async () => {
    pg = await PrivatePostgresServer.start();
    const url = await pg.createDatabase('hub');
    t = await startTestApp({ env: { DATABASE_URL: url, RATE_LIMIT_PER_MINUTE: '1000000' } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await pg?.destroy();
  });

  const login = () =>
    request(t.server).post('/api/auth/login').send({ email: 'a@example.com', password: 'pw pw 1' });

  it('answers 503 with Retry-After while PostgreSQL is stopped, and recovers without a restart', async () => {
    expect((await login()).status).toBe(401);

    await pg.stop();
    // Both a pooled connection that was terminated (57P01) and a refused new one (ECONNREFUSED).
    const during = await Promise.all(Array.from({ length: 12 }, () => login()));
    for (const res of during) {
      expect({ status: res.status, retryAfter: res.headers['retry-after'] }).toEqual({
        status: 503,
        retryAfter: '5',
      });
      expect(res.body).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable; retry shortly',
      });
    }
    expect(t.logs.text).toContain('Database unavailable: answered 503');
    expect(t.logs.text).not.toContain('Request failed');

    await pg.resume();
    await eventually(async () => expect((await login()).status).toBe(401), 20_000, 200);
  }, 60_000);
});
