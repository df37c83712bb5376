import { request } from '../support/contract';
import { BrowserClient } from '../support/browser-client';
import { FakeGoogle } from '../support/fake-google';
import { freePort } from '../support/free-port';
import { SmtpMailbox } from '../support/smtp-mailbox';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Walks every auth flow, then checks that no response and no log line contains a password hash,
 * a stored token hash, an email-code hash, or (in the logs) a password, refresh token, access
 * token, VERIFIED code or mailed code.
 */
describe('No secret in any response or log line', () => {
  let t: TestApp;
  let mailbox: SmtpMailbox;
  let google: FakeGoogle;
  const responses: string[] = [];
  const secrets = new Map<string, string>(); // value → what it is

  beforeAll(async () => {
    mailbox = await SmtpMailbox.start();
    google = await FakeGoogle.start();
    const port = await freePort();
    t = await startTestApp({
      env: {
        PORT: String(port),
        SMTP_URL: mailbox.url,
        FRONTEND_URL: 'https://app.example.test/',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'Operator password 9',
        AUTH_RATE_LIMIT_PER_IP: '10000',
        ...google.env(`http://127.0.0.1:${port}/api/auth/google/callback`),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await mailbox.close();
    await google.close();
  });

  function record(res: { status: number; headers: unknown; text?: string }, body?: string) {
    responses.push(`${res.status} ${JSON.stringify(res.headers)} ${body ?? res.text ?? ''}`);
  }
  async function post(path: string, body: object, token?: string) {
    const req = request(t.server).post(path).send(body);
    const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
    record(res);
    return res;
  }
  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await request(t.server).get(path).set(headers);
    record(res);
    return res;
  }

  it('walks every flow', async () => {
    const password = 'first password 1';
    const newPassword = 'second password 2';
    secrets.set(password, 'password').set(newPassword, 'password');
    secrets.set('Operator password 9', 'password');

    await post('/api/auth/register', { email: 'walk@example.com', password, name: 'W' });
    const verifyCode = await mailbox.codeFor('walk@example.com');
    secrets.set(verifyCode, 'email code');
    await post('/api/auth/verify-email', { email: 'walk@example.com', code: '000001' });
    await post('/api/auth/verify-email', { email: 'walk@example.com', code: verifyCode });

    const login = await post('/api/auth/login', { email: 'walk@example.com', password });
    await post('/api/auth/login', { email: 'walk@example.com', password: 'wrong one 1' });
    secrets
      .set(login.body.refresh_token, 'refresh token')
      .set(login.body.access_token, 'access token');
    await get('/api/auth/me', { Authorization: `Bearer ${login.body.access_token}` });
    const refreshed = await post('/api/auth/refresh', { refresh_token: login.body.refresh_token });
    secrets.set(refreshed.body.refresh_token, 'refresh token');
    await post('/api/auth/refresh', { refresh_token: login.body.refresh_token }); // reuse
    await post('/api/auth/logout', { refresh_token: refreshed.body.refresh_token });

    await post('/api/auth/forgot-password', { email: 'walk@example.com' });
    const resetCode = await mailbox.codeFor('walk@example.com', 2);
    secrets.set(resetCode, 'email code');
    await post('/api/auth/reset-password', {
      email: 'walk@example.com',
      code: resetCode,
      password: newPassword,
    });
    await post('/api/auth/forgot-password', { email: 'walk@example.com' }); // a live code hash stays
    await mailbox.codeFor('walk@example.com', 3);

    // Google, session mode and traditional mode, through the real redirects.
    google.nextUser = { sub: 'g-walk', email: 'walk@example.com', email_verified: true };
    const browser = new BrowserClient();
    const { res: page } = await browser.follow(`${t.url}/api/auth/google?session=walk-1`);
    const html = await page.text();
    record({ status: page.status, headers: Object.fromEntries(page.headers) }, html);
    const code = /VERIFIED-[\w-]{43}/.exec(html)![0];
    secrets.set(code, 'VERIFIED code');
    await get('/api/auth/verify-session', { 'X-Session-Token': code });

    const start = await browser.get(`${t.url}/api/auth/google`);
    const back = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const done = await browser.get(back.headers.get('location')!);
    for (const res of [start, done]) {
      record({ status: res.status, headers: Object.fromEntries(res.headers) }, await res.text());
    }
    const fragment = new URLSearchParams(new URL(done.headers.get('location')!).hash.slice(1));
    secrets.set(fragment.get('refresh_token')!, 'refresh token');
    secrets.set(fragment.get('access_token')!, 'access token');
    expect(done.status).toBe(302);
  });

  it('finds no stored hash in any response, and no secret in any log line', async () => {
    const hashes = [
      ...(await t.database.query<{ v: string }>(
        'SELECT password_hash AS v FROM users WHERE password_hash IS NOT NULL',
      )),
      ...(await t.database.query<{ v: string }>('SELECT token_hash AS v FROM refresh_tokens')),
      ...(await t.database.query<{ v: string }>('SELECT token_hash AS v FROM sessions')),
      ...(await t.database.query<{ v: string }>('SELECT code_hash AS v FROM email_codes')),
    ].map((row) => row.v);
    expect(hashes.length).toBe(7); // 2 passwords, 3 refresh tokens, 1 session, 1 live code
    // argon2 hashes are checked whole and by their salt+digest part.
    const needles = hashes.flatMap((h) =>
      h.startsWith('$argon2') ? [h, h.split('$').pop()!] : [h],
    );

    const everyResponse = responses.join('\n');
    expect(responses.length).toBe(16);
    for (const needle of needles) expect(everyResponse).not.toContain(needle);

    const logs = t.logs.text;
    expect(t.logs.lines.length).toBeGreaterThan(20);
    for (const needle of needles) expect(logs).not.toContain(needle);
    const leaked = [...secrets].filter(([value]) => logs.includes(value)).map(([, what]) => what);
    expect(leaked).toEqual([]);
  });
});
