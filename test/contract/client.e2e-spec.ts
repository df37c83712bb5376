import { sora2Flow } from '../../clients/typescript/examples/sora2-flow';
import { SessionService } from '../../src/session/session.service';
import { CREDITS_TEST_ENV, SORA2_KEY, topUp, accountFacts } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

/** The generated client's examples, run against the real app (clients/typescript/examples). */
describe('clients/typescript examples against the real app', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...CREDITS_TEST_ENV, SIGNUP_BONUS_CREDITS: '0' } });
  });
  afterAll(() => t.close());

  it('the Sora2 flow: verify → check → hold → capture', async () => {
    const user = await insertUser(t.database, { name: 'Sora Fan' });
    await topUp(t, user.id, '100');
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });

    const result = await sora2Flow({
      baseUrl: t.url,
      apiKey: SORA2_KEY,
      sessionToken: token,
      estimate: 30,
      actual: 22.5,
    });

    expect(result.user).toMatchObject({ id: user.id, name: 'Sora Fan' });
    expect(result.check).toMatchObject({ sufficient: true, balance: '100', user_id: user.id });
    expect(result.hold).toMatchObject({ user_id: user.id, amount: '30', available: '70' });
    expect(result.capture).toMatchObject({
      hold_id: result.hold.hold_id,
      new_balance: '77.5',
      captured_amount: '22.5',
      released_amount: '7.5',
    });
    expect(await accountFacts(t.database, user.id)).toMatchObject({
      balance: '77.5000',
      ledgerSum: '77.5000',
    });
  });

  it('the Sora2 flow stops with the hub’s message when the code is wrong', async () => {
    await expect(
      sora2Flow({
        baseUrl: t.url,
        apiKey: SORA2_KEY,
        sessionToken: `VERIFIED-${'A'.repeat(43)}`,
        estimate: 1,
        actual: 1,
      }),
    ).rejects.toThrow('verify-session: Session not found');
  });
});
