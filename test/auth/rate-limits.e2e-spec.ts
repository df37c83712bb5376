import type { Response } from 'supertest';
import { request } from '../support/contract';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse 42';

/** Per-IP and per-email limits of the guessable auth endpoints → 429 with Retry-After. */
describe('Auth rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        // Behind a trusted proxy, so each test can speak from the addresses it needs.
        TRUST_PROXY: '1',
        AUTH_RATE_LIMIT_PER_IP: '4',
        AUTH_RATE_LIMIT_PER_EMAIL: '3',
        AUTH_RATE_LIMIT_WINDOW: '15m',
      },
    });
    await request(t.server)
      .post('/api/auth/register')
      .set('X-Forwarded-For', '10.0.0.1')
      .send({ email: 'limited@example.com', password: PASSWORD, name: 'L' });
  });
  afterAll(() => t.close());

  const from = (ip: string) => ({
    post: (path: string, body: object) =>
      request(t.server).post(path).set('X-Forwarded-For', ip).send(body),
  });

  function expect429(res: Response): void {
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({
      statusCode: 429,
      message: 'Too many attempts, try again later',
    });
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(res.body.retryAfterSeconds).toBe(retryAfter);
  }

  it('limits login attempts per IP across many emails', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await from('10.3.0.1').post('/api/auth/login', {
        email: `spray${i}@example.com`,
        password: 'password 123',
      });
      expect(res.status).toBe(401);
    }
    expect429(
      await from('10.3.0.1').post('/api/auth/login', {
        email: 'spray9@example.com',
        password: 'x',
      }),
    );
    const otherIp = await from('10.3.0.2').post('/api/auth/login', {
      email: 'spray9@example.com',
      password: 'password 123',
    });
    expect(otherIp.status).toBe(401);
  });

  it('limits registrations per IP', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await from('10.4.0.1').post('/api/auth/register', {
        email: `bulk${i}@example.com`,
        password: PASSWORD,
        name: 'B',
      });
      expect(res.status).toBe(202);
    }
    expect429(
      await from('10.4.0.1').post('/api/auth/register', {
        email: 'bulk9@example.com',
        password: PASSWORD,
        name: 'B',
      }),
    );
    const rows = await t.database.query("SELECT 1 FROM users WHERE email = 'bulk9@example.com'");
    expect(rows).toHaveLength(0);
  });

  it('limits forgot-password per email (no mail bombing) and still answers 202 until then', async () => {
    for (const ip of ['10.5.0.1', '10.5.0.2', '10.5.0.3']) {
      const res = await from(ip).post('/api/auth/forgot-password', {
        email: 'limited@example.com',
      });
      expect(res.status).toBe(202);
    }
    expect429(
      await from('10.5.0.4').post('/api/auth/forgot-password', { email: 'limited@example.com' }),
    );
  });

  it('limits verify-email and reset-password guesses per email across IPs', async () => {
    const guesses = {
      '/api/auth/verify-email': { email: 'limited@example.com', code: '000000' },
      '/api/auth/reset-password': {
        email: 'limited@example.com',
        code: '000000',
        password: 'a new password 1',
      },
    };
    for (const [path, body] of Object.entries(guesses)) {
      for (const ip of ['10.6.0.1', '10.6.0.2', '10.6.0.3']) {
        expect((await from(ip).post(path, body)).status).toBe(400);
      }
      expect429(await from('10.6.0.4').post(path, body));
    }
  });

  it('limits verify-email guesses per IP across emails', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await from('10.7.0.1').post('/api/auth/verify-email', {
        email: `guess${i}@example.com`,
        code: '123456',
      });
      expect(res.status).toBe(400);
    }
    expect429(
      await from('10.7.0.1').post('/api/auth/verify-email', {
        email: 'other@example.com',
        code: '123456',
      }),
    );
  });
});
