import { registerUser } from '../support/users';
import { checkFetched, request } from '../support/contract';
import { BrowserClient } from '../support/browser-client';
import { FakeGoogle } from '../support/fake-google';
import { freePort } from '../support/free-port';
import { CREDITS_TEST_ENV, SORA2_KEY } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';

const CODE = /VERIFIED-[A-Za-z0-9_-]{43}/;

async function appWithGoogle(
  google: FakeGoogle,
  env: Record<string, string> = {},
  callbackPath = '/api/auth/google/callback',
): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({
    env: {
      PORT: String(port),
      ...google.env(`http://127.0.0.1:${port}${callbackPath}`),
      AUTH_RATE_LIMIT_PER_IP: '10000',
      ...env,
    },
  });
}

describe('Google OAuth login', () => {
  let google: FakeGoogle;
  let t: TestApp;

  beforeAll(async () => {
    google = await FakeGoogle.start();
    t = await appWithGoogle(google, {
      FRONTEND_URL: 'https://app.example.test/auth/done',
      ...CREDITS_TEST_ENV,
    });
  });
  afterAll(async () => {
    await t.close();
    await google.close();
  });

  const count = async (table: string) =>
    Number((await t.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);

  /** Start → Google → callback, as a browser does; returns the callback's response. */
  async function googleLogin(
    query: string,
    browser = new BrowserClient(),
    prefix = '/api/auth/google',
  ): Promise<{ res: Response; html: string; browser: BrowserClient }> {
    const { res } = await browser.follow(`${t.url}${prefix}${query}`);
    return { res, html: await res.text(), browser };
  }

  /** Start only; returns the state the app sent to Google and the browser holding its cookie. */
  async function startLogin(query = '?session=s-123') {
    const browser = new BrowserClient();
    const start = await browser.get(`${t.url}/api/auth/google${query}`);
    expect(start.status).toBe(302);
    const toGoogle = new URL(start.headers.get('location')!);
    return { browser, start, toGoogle, state: toGoogle.searchParams.get('state')! };
  }

  async function callbackUrlFor(toGoogle: URL): Promise<string> {
    const fromGoogle = await fetch(toGoogle, { redirect: 'manual' });
    return fromGoogle.headers.get('location')!;
  }

  it('session mode: Google → new user → success page with a VERIFIED code that verifies', async () => {
    google.nextUser = {
      sub: 'g-new-1',
      email: 'Nok@gmail.com',
      email_verified: true,
      name: 'Nok <b>Tester</b>',
    };
    const { start, toGoogle, state, browser } = await startLogin(
      '?session=abc_123&return_to=chatgpt',
    );

    // The redirect to Google: our client, our callback, the scopes, and a fresh random state.
    expect(`${toGoogle.origin}${toGoogle.pathname}`).toBe(`${google.url}/authorize`);
    expect(toGoogle.searchParams.get('client_id')).toBe(t.config.auth.google.clientId);
    expect(toGoogle.searchParams.get('redirect_uri')).toBe(`${t.url}/api/auth/google/callback`);
    expect(toGoogle.searchParams.get('scope')).toBe('openid email profile');
    expect(state).toMatch(/^[\w-]{43}$/);
    const setCookie = start.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith('sah_oauth_state='))!;
    expect(setCookie).toMatch(/^sah_oauth_state=[\w-]{43}; Max-Age=600; Path=\//);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(start.headers.get('cache-control')).toBe('no-store');

    const callbackUrl = await callbackUrlFor(toGoogle);
    const page = await browser.get(callbackUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = page.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/); // 128 random bits, base64
    expect(csp).toContain(`style-src 'nonce-${nonce}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
    expect(html).toMatch(/^<!DOCTYPE html>\s*<html lang="th">/);
    expect(html).toContain('<title>Login สำเร็จ - Smart AI Hub</title>');
    expect(html).toContain('ส่งกลับไปที่ ChatGPT');
    expect(page.headers.get('set-cookie')).toMatch(/sah_oauth_state=;.*Expires=Thu, 01 Jan 1970/);

    const code = CODE.exec(html)![0];
    // The code is in the page only: never in a URL the browser visited or was sent to.
    expect(browser.visited.concat(start.headers.get('location')!).join(' ')).not.toContain(code);

    // Google was asked exactly as Google expects: form-encoded code exchange with our secret.
    const exchange = google.tokenRequests.at(-1)!;
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expect(exchange.get('redirect_uri')).toBe(`${t.url}/api/auth/google/callback`);
    expect(exchange.get('client_secret')).toBe('test-client-secret');

    const [user] = await t.database.query<Record<string, unknown>>(
      "SELECT * FROM users WHERE email = 'nok@gmail.com'",
    );
    expect(user).toMatchObject({
      google_id: 'g-new-1',
      email_verified: true,
      password_hash: null,
      role: 'user',
      name: 'Nok <b>Tester</b>',
    });
    expect(html).not.toContain('<b>Tester</b>'); // what the page prints is escaped

    const [session] = await t.database.query<Record<string, unknown>>(
      'SELECT user_id, return_to, third_party_session_id, user_agent FROM sessions',
    );
    expect(session).toEqual({
      user_id: user.id,
      return_to: 'chatgpt',
      third_party_session_id: 'abc_123',
      user_agent: 'BrowserClient/1.0 (test)',
    });

    const verified = await request(t.server)
      .get('/api/auth/verify-session')
      .set('X-Session-Token', code);
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ id: user.id, email: 'nok@gmail.com' });
  });

  it('serves /auth/google too, and words the page for return_to=api', async () => {
    google.nextUser = {
      sub: 'g-api',
      email: 'api-user@gmail.com',
      email_verified: true,
      name: 'A',
    };
    const { res, html } = await googleLogin(
      '?session=xyz&return_to=api',
      undefined,
      '/auth/google',
    );
    expect(res.status).toBe(200);
    expect(html).toMatch(CODE);
    expect(html).toContain('แอปพลิเคชันที่ขอให้คุณเข้าสู่ระบบ');
    expect(html).not.toContain('ChatGPT');
  });

  it('logs an existing Google user in again without creating anything new', async () => {
    google.nextUser = { sub: 'g-again', email: 'again@gmail.com', email_verified: true, name: 'A' };
    await googleLogin('?session=first');
    const users = await count('users');
    const second = await googleLogin('?session=second');
    expect(second.res.status).toBe(200);
    expect(await count('users')).toBe(users);
  });

  it('answers a missing state, or one without its cookie, with a 400 page and creates nothing', async () => {
    google.nextUser = { sub: 'g-nostate', email: 'nostate@gmail.com', email_verified: true };
    const before = { users: await count('users'), sessions: await count('sessions') };

    const { toGoogle } = await startLogin();
    const callbackUrl = await callbackUrlFor(toGoogle);
    const noCookie = await new BrowserClient().get(callbackUrl); // another browser
    expect(noCookie.status).toBe(400);
    expect(noCookie.headers.get('content-type')).toMatch(/text\/html/);
    const html = await noCookie.text();
    expect(html).toContain('เข้าสู่ระบบไม่สำเร็จ');
    expect(html).toContain('Invalid OAuth state (missing)');

    const withoutState = new URL(callbackUrl);
    withoutState.searchParams.delete('state');
    const { browser } = await startLogin();
    const noState = await browser.get(withoutState.toString());
    expect(noState.status).toBe(400);

    expect(await count('users')).toBe(before.users);
    expect(await count('sessions')).toBe(before.sessions);
  });

  it('answers a state that does not match the cookie with 400 (login CSRF)', async () => {
    google.nextUser = { sub: 'g-csrf', email: 'csrf@gmail.com', email_verified: true };
    // The attacker's own, valid login attempt …
    const attacker = await startLogin();
    const attackerCallback = await callbackUrlFor(attacker.toGoogle);
    // … delivered to a victim whose browser started a login of its own.
    const victim = await startLogin();
    const res = await victim.browser.get(attackerCallback);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Invalid OAuth state (mismatched)');
    const rows = await t.database.query("SELECT 1 FROM users WHERE google_id = 'g-csrf'");
    expect(rows).toHaveLength(0);
  });

  it('accepts a state once: a replayed callback gets 400, even concurrently', async () => {
    google.nextUser = { sub: 'g-replay', email: 'replay@gmail.com', email_verified: true };
    const { browser, toGoogle, state } = await startLogin();
    const callbackUrl = await callbackUrlFor(toGoogle);
    const first = await browser.get(callbackUrl);
    expect(first.status).toBe(200);
    browser.setCookie(new URL(t.url).host, 'sah_oauth_state', state); // a replay keeps the cookie
    const replay = await browser.get(callbackUrl);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('Invalid OAuth state (unknown)');

    const race = await startLogin();
    const raceCallback = await callbackUrlFor(race.toGoogle);
    const cookie = `sah_oauth_state=${race.state}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const res = await fetch(raceCallback, { headers: { Cookie: cookie } });
        await checkFetched(res.url, 'GET', res);
        return res;
      }),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(4);
    expect(statuses.filter((s) => s !== 400)).toHaveLength(1);
  });

  it('shows a friendly Thai page with a retry link when the user cancels at Google', async () => {
    google.nextUser = 'deny';
    const before = await count('sessions');
    const { res, html } = await googleLogin('?session=cancel-1&return_to=chatgpt');
    expect(res.status).toBe(403);
    expect(html).toContain('<html lang="th">');
    expect(html).toContain('คุณยกเลิกการเข้าสู่ระบบด้วย Google');
    expect(html).toContain('href="/api/auth/google?session=cancel-1&amp;return_to=chatgpt"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await count('sessions')).toBe(before);
  });

  it('refuses malformed session ids and unknown return_to values with a 400 page', async () => {
    const bad = [
      '?session=' + 'x'.repeat(129),
      '?session=has%20space',
      '?session=%3Cscript%3E',
      '?session=a&session=b',
      '?session=ok&return_to=https://evil.example',
      '?return_to=nowhere',
    ];
    for (const query of bad) {
      const res = await new BrowserClient().get(`${t.url}/api/auth/google${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('set-cookie')).toBeNull();
      const html = await res.text();
      expect(html).toContain('ลิงก์เข้าสู่ระบบไม่ถูกต้อง');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('evil.example');
    }
  });

  it('answers a code Google does not accept with a 401 page', async () => {
    google.nextUser = { sub: 'g-forged', email: 'forged@gmail.com', email_verified: true };
    const { browser, toGoogle } = await startLogin();
    const callbackUrl = new URL(await callbackUrlFor(toGoogle));
    callbackUrl.searchParams.set('code', '4/forged');
    const res = await browser.get(callbackUrl.toString());
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Google did not confirm the login');
  });

  it('links Google to an existing account by verified email; the password keeps working', async () => {
    const reg = await registerUser(t, {
      email: 'link@example.com',
      password: 'my password 1',
      name: 'Link',
    });
    await t.database.query('UPDATE users SET email_verified = true WHERE id = $1', [reg.id]);
    google.nextUser = { sub: 'g-link', email: 'LINK@example.com', email_verified: true, name: 'L' };
    const { res } = await googleLogin('?session=link-1');
    expect(res.status).toBe(200);
    const rows = await t.database.query<{ id: string; google_id: string }>(
      "SELECT id, google_id FROM users WHERE lower(email) = 'link@example.com'",
    );
    expect(rows).toEqual([{ id: reg.id, google_id: 'g-link' }]);
    const login = await request(t.server)
      .post('/api/auth/login')
      .send({ email: 'link@example.com', password: 'my password 1' });
    expect(login.status).toBe(200);
  });

  it('drops a password nobody proved when Google proves the address (pre-registration takeover)', async () => {
    const squatter = await registerUser(t, {
      email: 'victim@example.com',
      password: 'squatter pw 1',
      name: 'Squatter',
    });
    const squatterLogin = await request(t.server)
      .post('/api/auth/login')
      .send({ email: 'victim@example.com', password: 'squatter pw 1' });
    google.nextUser = { sub: 'g-victim', email: 'victim@example.com', email_verified: true };
    expect((await googleLogin('?session=v1')).res.status).toBe(200);
    const [row] = await t.database.query<{ password_hash: string | null; email_verified: boolean }>(
      'SELECT password_hash, email_verified FROM users WHERE id = $1',
      [squatter.id],
    );
    expect(row).toEqual({ password_hash: null, email_verified: true });
    const refresh = await request(t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: squatterLogin.body.refresh_token });
    expect(refresh.status).toBe(401);
  });

  it('S-10 never links or creates an account on an email Google has not verified', async () => {
    await request(t.server)
      .post('/api/auth/register')
      .send({ email: 'unverified@example.com', password: 'some password 1', name: 'U' });
    google.nextUser = { sub: 'g-unv', email: 'unverified@example.com', email_verified: false };
    const linked = await googleLogin('?session=u1');
    expect(linked.res.status).toBe(403);
    expect(linked.html).toContain('Google ยังไม่ได้ยืนยันอีเมล');
    google.nextUser = { sub: 'g-unv-2', email: 'nobody-yet@example.com', email_verified: false };
    const created = await googleLogin('?session=u2');
    expect(created.res.status).toBe(403);
    const rows = await t.database.query(
      "SELECT 1 FROM users WHERE google_id IN ('g-unv', 'g-unv-2') OR email = 'nobody-yet@example.com'",
    );
    expect(rows).toHaveLength(0);
  });

  it('refuses a disabled account with a 403 page and creates no session', async () => {
    google.nextUser = { sub: 'g-off', email: 'off@gmail.com', email_verified: true };
    expect((await googleLogin('?session=off-1')).res.status).toBe(200);
    await t.database.query("UPDATE users SET status = 'disabled' WHERE google_id = 'g-off'");
    const before = await count('sessions');
    const { res, html } = await googleLogin('?session=off-2');
    expect(res.status).toBe(403);
    expect(html).toContain('บัญชีนี้ถูกระงับการใช้งาน');
    expect(html).not.toMatch(CODE);
    expect(await count('sessions')).toBe(before);
  });

  it('traditional mode: redirects to FRONTEND_URL with the tokens in the fragment only', async () => {
    google.nextUser = { sub: 'g-web', email: 'web@gmail.com', email_verified: true };
    const { browser, toGoogle } = await startLogin('');
    const res = await browser.get(await callbackUrlFor(toGoogle));
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.test/auth/done');
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(fragment.get('expires_in')).toBe('900');
    const me = await request(t.server)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${fragment.get('access_token')}`);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe('web@gmail.com');
    const refreshed = await request(t.server)
      .post('/api/auth/refresh')
      .send({ refresh_token: fragment.get('refresh_token') });
    expect(refreshed.status).toBe(200);
  });

  it('lets the Session module report a pending login for the session id', async () => {
    await startLogin('?session=pending-42');
    const [claim] = await t.database.query<{ completed_at: Date | null }>(
      "SELECT completed_at FROM session_claims WHERE third_party_session_id = 'pending-42'",
    );
    expect(claim).toEqual({ completed_at: null });
  });

  it('device flow: the service polling a pending login is named on the page, then gets its token once', async () => {
    google.nextUser = {
      sub: 'g-claim-1',
      email: 'claim@gmail.com',
      email_verified: true,
      name: 'Claim',
    };
    const claim = () =>
      request(t.server)
        .post('/api/auth/sessions/claim')
        .set('X-API-Key', SORA2_KEY)
        .send({ session: 'sora2-77' });
    const { browser, toGoogle } = await startLogin('?session=sora2-77&return_to=chatgpt');
    expect((await claim()).status).toBe(202);
    const page = await browser.get(await callbackUrlFor(toGoogle));
    const html = await page.text();
    expect(page.status).toBe(200);
    // One instruction: the service connects by itself, so there is no code to paste.
    expect(html).toContain('บริการ <strong>sora2</strong> กำลังเชื่อมต่อกับบัญชีของคุณโดยอัตโนมัติ');
    expect(html).not.toMatch(CODE);
    const delivered = await claim();
    expect(delivered.status).toBe(200);
    expect(delivered.body.user.email).toBe('claim@gmail.com');
    expect((await claim()).status).toBe(410);
    // The integration that started the login got an implicit grant with the default cap.
    const grants = await t.database.query<Record<string, unknown>>(
      `SELECT g.client_type, g.client_id, g.source, g.period, g.period_cap::text AS period_cap
         FROM grants g JOIN users u ON u.id = g.user_id WHERE u.email = 'claim@gmail.com'`,
    );
    expect(grants).toEqual([
      {
        client_type: 'integration',
        client_id: 'sora2',
        source: 'implicit',
        period: 'month',
        period_cap: '100.0000',
      },
    ]);
  });
});

describe('Google OAuth login, other configurations', () => {
  it('answers 503 JSON naming what is missing when Google is not configured', async () => {
    const t = await startTestApp({ env: { GOOGLE_CLIENT_ID: 'only-the-id' } });
    try {
      for (const path of ['/api/auth/google?session=a', '/auth/google/callback?state=x&code=y']) {
        const res = await request(t.server).get(path);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({
          statusCode: 503,
          message: 'Google login is not configured: set GOOGLE_CLIENT_SECRET, GOOGLE_CALLBACK_URL',
          missing: ['GOOGLE_CLIENT_SECRET', 'GOOGLE_CALLBACK_URL'],
        });
      }
    } finally {
      await t.close();
    }
  });

  it('without FRONTEND_URL, a traditional login lands in the web app signed in by its refresh cookie, callback at /auth/…', async () => {
    const google = await FakeGoogle.start();
    const t = await appWithGoogle(google, {}, '/auth/google/callback');
    try {
      google.nextUser = { sub: 'g-plain', email: 'plain@gmail.com', email_verified: true };
      const browser = new BrowserClient();
      const { res, url } = await browser.follow(`${t.url}/auth/google`);
      expect(res.status).toBe(200);
      expect(new URL(url).pathname).toBe('/dashboard');
      expect(url).not.toMatch(/token|VERIFIED/);
      expect(await res.text()).toContain('<div id="root"></div>');
      const cookie = browser.cookie(new URL(t.url).host, 'sah_refresh');
      expect(cookie).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(await t.database.query('SELECT 1 FROM refresh_tokens')).toHaveLength(1);
      // The web app's first call: the cookie (sent from this origin) becomes an access token.
      const refreshed = await request(t.server)
        .post('/api/auth/browser/refresh')
        .set({ Cookie: `sah_refresh=${cookie}`, Origin: t.url });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ user: { email: 'plain@gmail.com' } });
    } finally {
      await t.close();
      await google.close();
    }
  });
});
