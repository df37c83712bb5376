import { request } from '../support/contract';
import { FakeClock } from '../support/fake-clock';
import { eventually } from '../support/eventually';
import { SmtpMailbox } from '../support/smtp-mailbox';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse 42';

interface TokenPairBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

describe('Accounts: register, verify, login, refresh, logout, me', () => {
  let t: TestApp;
  let mailbox: SmtpMailbox;
  const clock = new FakeClock('2026-03-01T08:00:00Z');

  beforeAll(async () => {
    mailbox = await SmtpMailbox.start();
    t = await startTestApp({
      clock,
      env: {
        SMTP_URL: mailbox.url,
        MAIL_FROM: 'Smart AI Hub <hub@example.test>',
        AUTH_RATE_LIMIT_PER_IP: '10000',
        AUTH_RATE_LIMIT_PER_EMAIL: '10000',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await mailbox.close();
  });

  const api = () => request(t.server);
  const register = (email: string, password = PASSWORD, name = 'Somchai') =>
    api().post('/api/auth/register').send({ email, password, name });
  const login = (email: string, password = PASSWORD) =>
    api().post('/api/auth/login').send({ email, password });

  async function registered(email: string): Promise<{ id: string; tokens: TokenPairBody }> {
    const created = await register(email);
    expect(created.status).toBe(202);
    const res = await login(email);
    expect(res.status).toBe(200);
    return { id: res.body.user.id, tokens: res.body };
  }

  it('registers a user (202, nothing about the account in the answer) and stores an argon2id hash', async () => {
    const res = await register('Somchai@Example.com');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted' });
    const [row] = await t.database.query<{ password_hash: string; name: string }>(
      "SELECT password_hash, name FROM users WHERE email = 'somchai@example.com'",
    );
    expect(row.name).toBe('Somchai');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('S-18 answers a taken email (any letter case) exactly like a new one; its owner gets a mail', async () => {
    const first = await register('dup@example.com');
    await mailbox.codeFor('dup@example.com'); // the verification code of the new account
    const again = await register('DUP@example.COM', 'another password 2', 'Intruder');
    expect({ status: again.status, body: again.body }).toEqual({
      status: first.status,
      body: first.body,
    });
    const rows = await t.database.query<{ name: string }>(
      "SELECT name FROM users WHERE lower(email) = 'dup@example.com'",
    );
    expect(rows).toEqual([{ name: 'Somchai' }]);
    const mail = await eventually(() => {
      const mails = mailbox.received('dup@example.com');
      if (mails.length < 2) throw new Error('no second mail yet');
      return Promise.resolve(mails[1]);
    });
    expect(mail.subject).toContain('Someone signed up with your email');
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
  });

  it('refuses weak passwords with 400 naming the rule, and malformed input', async () => {
    const short = await register('weak1@example.com', 'abc1');
    expect(short.status).toBe(400);
    expect(short.body.message).toBe('Password is too weak: it must be at least 8 characters long');
    expect(short.body.rule).toBe('it must be at least 8 characters long');
    const lettersOnly = await register('weak2@example.com', 'onlyletters');
    expect(lettersOnly.status).toBe(400);
    expect(lettersOnly.body.message).toMatch(/a letter and a digit or symbol/);
    const mailbox = await register('somsak.k@example.com', 'xsomsak.k1');
    expect(mailbox.body.message).toMatch(/must not contain the name of the email address/);
    const badEmail = await register('not-an-email');
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.message).toMatch(/email must be an email address/);
    const extra = await api()
      .post('/api/auth/register')
      .send({ email: 'x@example.com', password: PASSWORD, name: 'X', role: 'admin' });
    expect(extra.status).toBe(400);
    const rows = await t.database.query("SELECT 1 FROM users WHERE email LIKE 'weak%'");
    expect(rows).toHaveLength(0);
  });

  it('mails a 6-digit code over SMTP that verifies the email once', async () => {
    await register('verify@example.com').expect(202);
    const [{ id }] = await t.database.query<{ id: string }>(
      "SELECT id FROM users WHERE email = 'verify@example.com'",
    );
    const code = await mailbox.codeFor('verify@example.com');
    const mail = mailbox.received('verify@example.com')[0];
    expect(mail.from).toBe('hub@example.test');
    expect(mail.subject).toContain('Verify your email');
    expect(mail.text).toContain('ยืนยันอีเมล');

    const wrong = await api()
      .post('/api/auth/verify-email')
      .send({ email: 'verify@example.com', code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe('The code is invalid or has expired');

    const ok = await api()
      .post('/api/auth/verify-email')
      .send({ email: 'VERIFY@example.com', code });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id, email_verified: true });
    const [row] = await t.database.query<{ email_verified: boolean }>(
      'SELECT email_verified FROM users WHERE id = $1',
      [id],
    );
    expect(row.email_verified).toBe(true);

    const again = await api()
      .post('/api/auth/verify-email')
      .send({ email: 'verify@example.com', code });
    expect(again.status).toBe(400);
    const codes = await t.database.query('SELECT 1 FROM email_codes WHERE user_id = $1', [id]);
    expect(codes).toHaveLength(0);
  });

  it('burns a code after 5 wrong tries and lets a code expire after 10 minutes', async () => {
    await register('burn@example.com');
    const code = await mailbox.codeFor('burn@example.com');
    const wrong = code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++) {
      const res = await api()
        .post('/api/auth/verify-email')
        .send({ email: 'burn@example.com', code: wrong });
      expect(res.status).toBe(400);
    }
    const burnt = await api()
      .post('/api/auth/verify-email')
      .send({ email: 'burn@example.com', code });
    expect(burnt.status).toBe(400);

    const resend = await api()
      .post('/api/auth/resend-verification')
      .send({ email: 'burn@example.com' });
    expect(resend.status).toBe(202);
    const second = await mailbox.codeFor('burn@example.com', 2);
    clock.advanceMinutes(10);
    const expired = await api()
      .post('/api/auth/verify-email')
      .send({ email: 'burn@example.com', code: second });
    expect(expired.status).toBe(400);

    await api().post('/api/auth/resend-verification').send({ email: 'burn@example.com' });
    const third = await mailbox.codeFor('burn@example.com', 3);
    clock.advanceMinutes(9);
    const inTime = await api()
      .post('/api/auth/verify-email')
      .send({ email: 'burn@example.com', code: third });
    expect(inTime.status).toBe(200);
  });

  it('counts concurrent wrong tries exactly (5 burn the code)', async () => {
    await register('race@example.com').expect(202);
    const code = await mailbox.codeFor('race@example.com');
    const wrong = code === '123456' ? '654321' : '123456';
    const tries = await Promise.all(
      Array.from({ length: 4 }, () =>
        api().post('/api/auth/verify-email').send({ email: 'race@example.com', code: wrong }),
      ),
    );
    expect(tries.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    const [row] = await t.database.query<{ attempts: number }>(
      `SELECT attempts FROM email_codes JOIN users ON users.id = email_codes.user_id
       WHERE users.email = 'race@example.com' AND purpose = 'verify_email'`,
    );
    expect(row.attempts).toBe(4);
    const ok = await api().post('/api/auth/verify-email').send({ email: 'race@example.com', code });
    expect(ok.status).toBe(200);
  });

  it('logs in with a JWT pair; wrong password and unknown email get the same 401', async () => {
    const { id, tokens } = await registered('login@example.com');
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.stringMatching(/^[\w-]{43}$/),
      token_type: 'Bearer',
      expires_in: 900,
      user: expect.objectContaining({ id, email: 'login@example.com' }),
    });
    const wrongPassword = await login('login@example.com', 'wrong password 1');
    const unknown = await login('nobody@example.com');
    expect(wrongPassword.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrongPassword.body.message).toBe('Invalid email or password');
    expect(unknown.body.message).toBe(wrongPassword.body.message);

    const me = await api()
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id, email: 'login@example.com', role: 'user' });
  });

  it('refuses /me without, with a forged, or with an expired access token', async () => {
    const { tokens } = await registered('expiry@example.com');
    expect((await api().get('/api/auth/me')).status).toBe(401);
    const [h, p] = tokens.access_token.split('.');
    const forged = await api().get('/api/auth/me').set('Authorization', `Bearer ${h}.${p}.AAAA`);
    expect(forged.status).toBe(401);
    clock.advanceMinutes(15);
    const expired = await api()
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${tokens.access_token}`);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Missing or invalid access token');
  });

  it('rotates refresh tokens; reusing a rotated one revokes the whole family', async () => {
    const { id, tokens } = await registered('rotate@example.com');
    const first = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: tokens.refresh_token });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    const second = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);

    // An attacker replays the first token: the family dies, including the legitimate newest one.
    const replay = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: tokens.refresh_token });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/reuse detected/);
    const newest = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: second.body.refresh_token });
    expect(newest.status).toBe(401);

    const rows = await t.database.query<{ revoked_at: Date | null; revoke_reason: string | null }>(
      'SELECT revoked_at, revoke_reason FROM refresh_tokens WHERE user_id = $1',
      [id],
    );
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);

    // Another login is another family, unaffected.
    const other = await login('rotate@example.com');
    const fine = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: other.body.refresh_token });
    expect(fine.status).toBe(200);
  });

  it('lets exactly one of many concurrent refreshes of one token win', async () => {
    const { id, tokens } = await registered('concurrent@example.com');
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        api().post('/api/auth/refresh').send({ refresh_token: tokens.refresh_token }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(7);
    const rows = await t.database.query<{ rotated_at: Date | null }>(
      'SELECT rotated_at FROM refresh_tokens WHERE user_id = $1',
      [id],
    );
    // The original and the one successor; the losers found it rotated and revoked the family.
    expect(rows).toHaveLength(2);
  });

  it('logout revokes the refresh token and its family', async () => {
    const { tokens } = await registered('logout@example.com');
    const out = await api().post('/api/auth/logout').send({ refresh_token: tokens.refresh_token });
    expect(out.status).toBe(204);
    const after = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: tokens.refresh_token });
    expect(after.status).toBe(401);
    expect(after.body.message).toBe('Invalid or expired refresh token');
    const unknown = await api()
      .post('/api/auth/logout')
      .send({ refresh_token: 'x'.repeat(43) });
    expect(unknown.status).toBe(204);
  });

  it('expires refresh tokens after REFRESH_TOKEN_TTL (30 days)', async () => {
    const { tokens } = await registered('old@example.com');
    clock.advanceDays(30);
    const res = await api().post('/api/auth/refresh').send({ refresh_token: tokens.refresh_token });
    expect(res.status).toBe(401);
  });

  it('refuses a disabled user at login (403), on the next request and at refresh', async () => {
    const { id, tokens } = await registered('disabled@example.com');
    await t.database.query("UPDATE users SET status = 'disabled' WHERE id = $1", [id]);
    const me = await api()
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(403);
    const loggedIn = await login('disabled@example.com');
    expect(loggedIn.status).toBe(403);
    expect(loggedIn.body.message).toBe('This account is disabled');
    const wrong = await login('disabled@example.com', 'not the password 1');
    expect(wrong.status).toBe(401);
    const refreshed = await api()
      .post('/api/auth/refresh')
      .send({ refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(403);
  });

  it('resets a password with a mailed code: 202 for anyone, old refresh tokens revoked', async () => {
    const { tokens } = await registered('reset@example.com');
    await mailbox.codeFor('reset@example.com'); // the verification mail of the registration
    const before = 1;

    const unknown = await api()
      .post('/api/auth/forgot-password')
      .send({ email: 'ghost@example.com' });
    expect(unknown.status).toBe(202);
    const known = await api()
      .post('/api/auth/forgot-password')
      .send({ email: 'Reset@example.com' });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const code = await mailbox.codeFor('reset@example.com', before + 1);
    expect(mailbox.received('reset@example.com')[before].subject).toContain('Reset your password');
    expect(mailbox.received('ghost@example.com')).toHaveLength(0);

    const weak = await api()
      .post('/api/auth/reset-password')
      .send({ email: 'reset@example.com', code, password: 'short1' });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/at least 8 characters/);

    const reset = await api()
      .post('/api/auth/reset-password')
      .send({ email: 'reset@example.com', code, password: 'a brand new one 7' });
    expect(reset.status).toBe(204);
    const reused = await api()
      .post('/api/auth/reset-password')
      .send({ email: 'reset@example.com', code, password: 'another new one 8' });
    expect(reused.status).toBe(400);

    expect((await login('reset@example.com')).status).toBe(401);
    expect((await login('reset@example.com', 'a brand new one 7')).status).toBe(200);
    const old = await api().post('/api/auth/refresh').send({ refresh_token: tokens.refresh_token });
    expect(old.status).toBe(401);
  });
});
