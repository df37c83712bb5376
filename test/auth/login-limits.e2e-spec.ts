import { request } from '../support/contract';
import { PasswordHasher } from '../../src/auth/passwords';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse 42';

/** Login guesses: counted before the password is checked, backing off per email and IP. */
describe('login limits (S-05, S-17)', () => {
  let t: TestApp;
  const clock = new FakeClock();
  let checked = 0;

  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: {
        // Behind a trusted proxy, so each test can speak from the addresses it needs.
        TRUST_PROXY: '1',
        AUTH_RATE_LIMIT_PER_IP: '1000',
        AUTH_RATE_LIMIT_PER_EMAIL: '3',
        AUTH_LOGIN_BACKOFF: '1m',
        AUTH_LOGIN_BACKOFF_MAX: '5m',
      },
    });
    // Counts the password checks the server really makes (the call still runs as written).
    const hasher = t.app.get(PasswordHasher);
    const verify = hasher.verify.bind(hasher);
    hasher.verify = (hash, password) => {
      checked += 1;
      return verify(hash, password);
    };
  });
  afterAll(() => t.close());

  async function register(email: string): Promise<void> {
    await request(t.server)
      .post('/api/auth/register')
      .set('X-Forwarded-For', '10.9.9.9')
      .send({ email, password: PASSWORD, name: 'Owner' })
      .expect((res) => expect(res.status).toBeLessThan(300));
  }
  const login = (ip: string, email: string, password: string) =>
    request(t.server).post('/api/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  it('S-05 50 parallel wrong passwords: exactly the limit are checked, the rest 429', async () => {
    await register('race@example.com');
    checked = 0;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login('10.1.0.1', 'race@example.com', `wrong ${i}`)),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(47);
    expect(checked).toBe(3);
  });

  it('S-17 guesses close only their own IP: the owner elsewhere still logs in', async () => {
    await register('owner@example.com');
    for (let i = 0; i < 3; i++) {
      expect((await login('10.2.0.1', 'owner@example.com', `guess ${i}`)).status).toBe(401);
    }
    // The guessing address waits, even with the right password…
    const refused = await login('10.2.0.1', 'OWNER@example.com', PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    // …the owner, from an address without failures, is not held up.
    expect((await login('10.2.0.2', 'owner@example.com', PASSWORD)).status).toBe(200);
  });

  it('S-17 the back-off doubles with each further failure, and a success starts afresh', async () => {
    await register('backoff@example.com');
    for (let i = 0; i < 3; i++) await login('10.3.0.1', 'backoff@example.com', `guess ${i}`);
    expect((await login('10.3.0.1', 'backoff@example.com', 'x')).headers['retry-after']).toBe('60');
    clock.advance(60_000);
    expect((await login('10.3.0.1', 'backoff@example.com', 'guess 4')).status).toBe(401);
    expect((await login('10.3.0.1', 'backoff@example.com', 'x')).headers['retry-after']).toBe(
      '120',
    );
    clock.advance(120_000);
    expect((await login('10.3.0.1', 'backoff@example.com', 'guess 5')).status).toBe(401);
    expect((await login('10.3.0.1', 'backoff@example.com', 'x')).headers['retry-after']).toBe(
      '240',
    );
    clock.advance(240_000);
    expect((await login('10.3.0.1', 'backoff@example.com', PASSWORD)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      expect((await login('10.3.0.1', 'backoff@example.com', `again ${i}`)).status).toBe(401);
    }
  });

  it('S-17 a successful login clears the failures of its email and IP', async () => {
    await register('clears@example.com');
    for (let round = 0; round < 2; round++) {
      expect((await login('10.4.0.1', 'clears@example.com', 'nope nope 1')).status).toBe(401);
      expect((await login('10.4.0.1', 'clears@example.com', 'nope nope 2')).status).toBe(401);
      expect((await login('10.4.0.1', 'clears@example.com', PASSWORD)).status).toBe(200);
    }
  });
});
