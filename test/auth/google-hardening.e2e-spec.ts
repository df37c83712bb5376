import { createHash } from 'node:crypto';
import { checkFetched, request } from '../support/contract';
import { GoogleLoginHousekeeping } from '../../src/google-login/google-login-housekeeping';
import { BrowserClient } from '../support/browser-client';
import { CREDITS_TEST_ENV, SORA2_KEY } from '../support/credits';
import { FakeClock } from '../support/fake-clock';
import { FakeGoogle } from '../support/fake-google';
import { freePort } from '../support/free-port';
import { PrivateRedisServer } from '../support/redis-server';
import { SmtpMailbox } from '../support/smtp-mailbox';
import { startTestApp, TestApp, TestAppOptions } from '../support/test-app';
import { IntegrationKeysService } from '../../src/integration-keys/integration-keys.service';

const CODE = /VERIFIED-[A-Za-z0-9_-]{43}/;

async function appWithGoogle(
  google: FakeGoogle,
  env: Record<string, string> = {},
  options: Omit<TestAppOptions, 'env'> = {},
): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({
    ...options,
    env: {
      PORT: String(port),
      ...google.env(`http://127.0.0.1:${port}/api/auth/google/callback`),
      AUTH_RATE_LIMIT_PER_IP: '10000',
      ...CREDITS_TEST_ENV,
      ...env,
    },
  });
}

/** Google login hardening of issue 12 (S-09, S-10, S-12, S-13, S-20, PKCE, cookies) and 13. */
describe('Google login hardening', () => {
  let google: FakeGoogle;
  let mailbox: SmtpMailbox;
  let t: TestApp;
  const clock = new FakeClock(new Date());

  beforeAll(async () => {
    google = await FakeGoogle.start();
    mailbox = await SmtpMailbox.start();
    t = await appWithGoogle(
      google,
      { TRUST_PROXY: '1', GOOGLE_LOGIN_PENDING_PER_IP: '3', SMTP_URL: mailbox.url },
      { clock },
    );
  });
  afterAll(async () => {
    await t.close();
    await google.close();
    await mailbox.close();
  });

  let ipCounter = 0;
  /** A browser at an address of its own (behind the trusted proxy), so per-IP caps stay apart. */
  function newBrowser(): { browser: BrowserClient; ip: string } {
    ipCounter += 1;
    const ip = `198.51.100.${ipCounter}`;
    return { browser: new BrowserClient({ 'X-Forwarded-For': ip }), ip };
  }

  async function start(browser: BrowserClient, query: string) {
    const res = await browser.get(`${t.url}/api/auth/google${query}`);
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }
  async function finish(browser: BrowserClient, toGoogle: URL) {
    const fromGoogle = await fetch(toGoogle, { redirect: 'manual' });
    const callbackUrl = fromGoogle.headers.get('location')!;
    const res = await browser.get(callbackUrl);
    return { res, html: await res.text(), callbackUrl };
  }
  const claim = (session: string, key = SORA2_KEY) =>
    request(t.server).post('/api/auth/sessions/claim').set('X-API-Key', key).send({ session });

  it('PKCE (S256) on the Google leg: the challenge goes out, the verifier comes back', async () => {
    google.nextUser = { sub: 'g-pkce', email: 'pkce@gmail.com', email_verified: true };
    const { browser } = newBrowser();
    const toGoogle = await start(browser, '?session=pkce-1');
    expect(toGoogle.searchParams.get('code_challenge_method')).toBe('S256');
    const challenge = toGoogle.searchParams.get('code_challenge')!;
    expect(challenge).toMatch(/^[\w-]{43}$/);
    const { res } = await finish(browser, toGoogle);
    expect(res.status).toBe(200);
    const verifier = google.tokenRequests.at(-1)!.get('code_verifier')!;
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
  });

  it('issue 13 VERIFIED page: the result stays explained on reload ("already shown", 410), not "login failed"', async () => {
    google.nextUser = { sub: 'g-reload', email: 'reload@gmail.com', email_verified: true };
    const { browser } = newBrowser();
    const first = await finish(browser, await start(browser, '?session=reload-1'));
    expect(first.res.status).toBe(200);
    expect(first.html).toMatch(CODE);
    const reload = await browser.get(first.callbackUrl);
    const html = await reload.text();
    expect(reload.status).toBe(410);
    expect(html).toContain('ผลการเข้าสู่ระบบนี้แสดงไปแล้ว');
    expect(html).toContain('/api/auth/google?session=reload-1');
    expect(html).not.toMatch(CODE);
  });

  it('S-12 the claim is bound to the browser that started it: another browser finishing first does not get it', async () => {
    google.nextUser = { sub: 'g-victim', email: 'victim@gmail.com', email_verified: true };
    const victim = newBrowser().browser;
    const toGoogleVictim = await start(victim, '?session=s12-a');
    // The attacker knows the pending id, starts the same login in their browser, and finishes first.
    google.nextUser = { sub: 'g-attacker', email: 'attacker@gmail.com', email_verified: true };
    const attacker = newBrowser().browser;
    const attackerPage = await finish(attacker, await start(attacker, '?session=s12-a'));
    expect(attackerPage.res.status).toBe(200);
    expect(attackerPage.html).toContain('ถูกเริ่มหรือทำเสร็จแล้วในเบราว์เซอร์อื่น');
    expect((await claim('s12-a')).status).toBe(202); // still the victim's, still pending

    google.nextUser = { sub: 'g-victim', email: 'victim@gmail.com', email_verified: true };
    const victimPage = await finish(victim, toGoogleVictim);
    expect(victimPage.html).not.toContain('เบราว์เซอร์อื่น');
    const delivered = await claim('s12-a');
    expect(delivered.status).toBe(200);
    expect(delivered.body.user.email).toBe('victim@gmail.com');
  });

  it('S-12 a login completing a claim someone already completed says so', async () => {
    google.nextUser = { sub: 'g-first', email: 'first@gmail.com', email_verified: true };
    const { browser } = newBrowser();
    expect((await finish(browser, await start(browser, '?session=s12-b'))).res.status).toBe(200);
    const again = await finish(browser, await start(browser, '?session=s12-b'));
    expect(again.html).toContain('ถูกเริ่มหรือทำเสร็จแล้วในเบราว์เซอร์อื่น');
  });

  it('S-09 a pending login is delivered only to the integration that polled it; another gets 404', async () => {
    const other = await t.app
      .get(IntegrationKeysService)
      .create({ name: 'other-service', scopes: ['sessions:claim'] });
    google.nextUser = { sub: 'g-s09', email: 's09@gmail.com', email_verified: true };
    const { browser } = newBrowser();
    const toGoogle = await start(browser, '?session=s09-1');
    expect((await claim('s09-1')).status).toBe(202); // sora2 is waiting for it
    expect((await claim('s09-1', other.key)).status).toBe(404);
    await finish(browser, toGoogle);
    expect((await claim('s09-1', other.key)).status).toBe(404);
    expect((await claim('s09-1')).status).toBe(200);
  });

  it('S-20 at most GOOGLE_LOGIN_PENDING_PER_IP logins in flight per IP, atomically; expired ones are pruned', async () => {
    const ip = '203.0.113.50';
    const starts = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(t.server).get(`/api/auth/google?session=flood-${i}`).set('X-Forwarded-For', ip),
      ),
    );
    const statuses = starts.map((res) => res.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(47);
    const [rows] = await t.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM google_login_states WHERE ip = $1`,
      [ip],
    );
    expect(Number(rows.n)).toBe(3);
    const [claims] = await t.database.query<{ n: string }>(
      `SELECT count(*) AS n FROM session_claims WHERE third_party_session_id LIKE 'flood-%'`,
    );
    expect(Number(claims.n)).toBe(3);

    clock.advance(24 * 3_600_000);
    const pruned = await t.app.get(GoogleLoginHousekeeping).run();
    expect(pruned.statesPruned).toBeGreaterThanOrEqual(3);
    expect(pruned.claimsPruned).toBeGreaterThanOrEqual(3);
    const left = await t.database.query(
      `SELECT 1 FROM session_claims WHERE third_party_session_id LIKE 'flood-%'
       UNION ALL SELECT 1 FROM google_login_states WHERE ip = $1`,
      [ip],
    );
    expect(left).toHaveLength(0);
    const after = await request(t.server)
      .get('/api/auth/google?session=flood-again')
      .set('X-Forwarded-For', ip);
    expect(after.status).toBe(302);
  });

  it('S-13 a forged 100-character X-Forwarded-For is a 400, never a 500', async () => {
    google.nextUser = { sub: 'g-xff', email: 'xff@gmail.com', email_verified: true };
    const { browser } = newBrowser();
    const toGoogle = await start(browser, '?session=xff-1');
    const fromGoogle = await fetch(toGoogle, { redirect: 'manual' });
    const callbackUrl = fromGoogle.headers.get('location')!;
    const callback = await fetch(callbackUrl, {
      redirect: 'manual',
      headers: {
        'X-Forwarded-For': 'x'.repeat(100),
        Cookie: `sah_oauth_state=${toGoogle.searchParams.get('state')}`,
      },
    });
    await checkFetched(callbackUrl, 'GET', callback);
    expect(callback.status).toBe(400);
    const login = await request(t.server)
      .post('/api/auth/login')
      .set('X-Forwarded-For', `203.0.113.9, ${'y'.repeat(100)}`)
      .send({ email: 'xff@gmail.com', password: 'whatever pw 1' });
    expect(login.status).toBe(400);
    expect(login.body.message).toBe('X-Forwarded-For does not name a valid client IP address');
  });

  it('S-10 a password reset that proves the email drops a Google link nobody proved', async () => {
    // An account a Google login created before S-10, on an address Google had not verified.
    await t.database.query(
      `INSERT INTO users (email, name, role, status, email_verified, google_id)
       VALUES ('prehijack@example.com', 'Squatter', 'user', 'active', false, 'g-squatter')`,
    );
    await request(t.server)
      .post('/api/auth/forgot-password')
      .send({ email: 'prehijack@example.com' })
      .expect(202);
    const code = await mailbox.codeFor('prehijack@example.com');
    await request(t.server)
      .post('/api/auth/reset-password')
      .send({ email: 'prehijack@example.com', code, password: 'the owner now 42' })
      .expect(204);
    const [user] = await t.database.query<{ google_id: string | null; email_verified: boolean }>(
      `SELECT google_id, email_verified FROM users WHERE email = 'prehijack@example.com'`,
    );
    expect(user).toEqual({ google_id: null, email_verified: true });
    // The squatter's Google account no longer opens it.
    google.nextUser = { sub: 'g-squatter', email: 'prehijack@example.com', email_verified: true };
    const { browser } = newBrowser();
    const page = await finish(browser, await start(browser, '?session=squat'));
    expect(page.res.status).toBe(200); // Google now proves the address: it links to the owner…
    const [linked] = await t.database.query<{ password_hash: string | null }>(
      `SELECT password_hash FROM users WHERE email = 'prehijack@example.com'`,
    );
    expect(linked.password_hash).not.toBeNull(); // …keeping the password the owner proved
  });
});

describe('Google login cookies and Redis loss', () => {
  it('__Host- prefixed, Secure cookies when the public URL is https', async () => {
    const google = await FakeGoogle.start();
    const t = await startTestApp({
      env: {
        ...google.env('https://hub.example.test/api/auth/google/callback'),
      },
    });
    try {
      const res = await request(t.server).get('/api/auth/google?session=https-1').expect(302);
      const cookies = res.headers['set-cookie'] as unknown as string[];
      const state = cookies.find((c) => c.startsWith('__Host-sah_oauth_state='))!;
      const browser = cookies.find((c) => c.startsWith('__Host-sah_login_browser='))!;
      for (const cookie of [state, browser]) {
        expect(cookie).toMatch(/; Path=\//);
        expect(cookie).toMatch(/; Secure/);
        expect(cookie).toMatch(/; HttpOnly/);
        expect(cookie).not.toMatch(/Domain=/i);
      }
    } finally {
      await t.close();
      await google.close();
    }
  });

  it('issue 13 item 3: a Google login works while Redis is down (the state is in PostgreSQL)', async () => {
    const redis = await PrivateRedisServer.start();
    const google = await FakeGoogle.start();
    const t = await appWithGoogle(google, { REDIS_URL: redis.url });
    try {
      await redis.stop();
      google.nextUser = { sub: 'g-noredis', email: 'noredis@gmail.com', email_verified: true };
      const browser = new BrowserClient();
      const { res } = await browser.follow(`${t.url}/api/auth/google?session=noredis-1`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(CODE);
    } finally {
      await t.close();
      await google.close();
      await redis.stop();
    }
  });
});
