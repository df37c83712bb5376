import { request } from '../support/contract';
import { SmtpMailbox } from '../support/smtp-mailbox';
import { startTestApp, TestApp } from '../support/test-app';
import { accessTokenFor, registerUser } from '../support/users';

const PASSWORD = 'Correct-Horse-Battery-9';

/** S-19: with SIGNUP_BONUS_AT_REGISTRATION=false the bonus waits for a verified email. */
describe('S-19 signup bonus at email verification', () => {
  let t: TestApp;
  let mailbox: SmtpMailbox;

  beforeAll(async () => {
    mailbox = await SmtpMailbox.start();
    t = await startTestApp({
      env: {
        SMTP_URL: mailbox.url,
        SIGNUP_BONUS_CREDITS: '50',
        SIGNUP_BONUS_AT_REGISTRATION: 'false',
        AUTH_RATE_LIMIT_PER_IP: '10000',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await mailbox.close();
  });

  const balanceOf = async (id: string) =>
    (
      await request(t.server)
        .get('/api/credits/balance')
        .set('Authorization', `Bearer ${await accessTokenFor(t, { id })}`)
        .expect(200)
    ).body.balance as string;
  const ledgerOf = (id: string) =>
    t.database.query<{ type: string; amount: string; actor: string }>(
      'SELECT type, amount::text, actor FROM credit_transactions WHERE user_id = $1 ORDER BY created_at',
      [id],
    );

  it('S-19 an unverified account has nothing to spend; verifying the email grants the bonus once', async () => {
    const email = 'farm@example.test';
    const user = await registerUser(t, { email, password: PASSWORD, name: 'Farmer' });
    expect(await balanceOf(user.id)).toBe('0');

    const code = await mailbox.codeFor(email);
    // Ten parallel verifications with the right code: one turns the email verified.
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(t.server).post('/api/auth/verify-email').send({ email, code }),
      ),
    );
    expect(answers.filter((res) => res.status === 200)).toHaveLength(1);
    expect(await balanceOf(user.id)).toBe('50');

    // A later reset (it proves the address again) grants nothing more.
    await request(t.server).post('/api/auth/forgot-password').send({ email }).expect(202);
    await request(t.server)
      .post('/api/auth/reset-password')
      .send({ email, code: await mailbox.codeFor(email, 2), password: 'another one 42' })
      .expect(204);
    expect(await balanceOf(user.id)).toBe('50');
    expect(await ledgerOf(user.id)).toEqual([
      { type: 'signup', amount: '0.0000', actor: 'system' },
      { type: 'topup', amount: '50.0000', actor: 'system:signup-bonus' },
    ]);
  });

  it('S-19 a password reset counts as verification for an account that never verified', async () => {
    const email = 'late@example.test';
    const user = await registerUser(t, { email, password: PASSWORD, name: 'Late' });
    await mailbox.codeFor(email);
    await request(t.server).post('/api/auth/forgot-password').send({ email }).expect(202);
    await request(t.server)
      .post('/api/auth/reset-password')
      .send({ email, code: await mailbox.codeFor(email, 2), password: 'another one 42' })
      .expect(204);
    expect(await balanceOf(user.id)).toBe('50');
  });
});
