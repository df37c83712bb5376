import { request } from '../support/contract';
import { PromoCodesService } from '../../src/credits/promo/promo-codes.service';
import { accountFacts, asSora2, CREDITS_TEST_ENV } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { accessTokenFor, registerUser } from '../support/users';

describe("a user's own credits (JWT)", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...CREDITS_TEST_ENV, SIGNUP_BONUS_CREDITS: '25.5' } });
  });
  afterAll(() => t.close());

  async function signUp(email: string): Promise<{ id: string; auth: Record<string, string> }> {
    const { id } = await registerUser(t, {
      email,
      password: 'Correct-Horse-Battery-9',
      name: 'Credit User',
    });
    const token = await accessTokenFor(t, { id });
    return { id, auth: { Authorization: `Bearer ${token}` } };
  }

  it('opens the account at sign-up with the bonus as a ledger row', async () => {
    const user = await signUp('bonus@example.test');
    const balance = await request(t.server).get('/api/credits/balance').set(user.auth).expect(200);
    expect(balance.body).toEqual({
      user_id: user.id,
      balance: '25.5',
      available: '25.5',
      held: '0',
    });
    const rows = await t.database.query<{ type: string; amount: string }>(
      'SELECT type, amount::text FROM credit_transactions WHERE user_id = $1',
      [user.id],
    );
    expect(rows).toEqual([{ type: 'signup', amount: '25.5000' }]);
    expect(await accountFacts(t.database, user.id)).toMatchObject({
      balance: '25.5000',
      ledgerSum: '25.5000',
    });
  });

  it('pages through the ledger newest first', async () => {
    const user = await signUp('pages@example.test');
    for (const cost of ['1', '2', '3']) {
      await asSora2(t, 'deduct', user.id, { service: 'sora2', cost }).expect(200);
    }
    const first = await request(t.server)
      .get('/api/credits/transactions?limit=2')
      .set(user.auth)
      .expect(200);
    expect(first.body.items.map((i: { amount: string }) => i.amount)).toEqual(['-3', '-2']);
    const second = await request(t.server)
      .get(`/api/credits/transactions?limit=2&cursor=${first.body.next_cursor as string}`)
      .set(user.auth)
      .expect(200);
    expect(second.body.items.map((i: { type: string }) => i.type)).toEqual(['deduct', 'signup']);
    expect(second.body.next_cursor).toBeNull();
    await request(t.server).get('/api/credits/transactions?limit=0').set(user.auth).expect(400);
    await request(t.server).get('/api/credits/transactions?cursor=nope').set(user.auth).expect(400);
  });

  it('redeems a promo code once per user, and limits guessing', async () => {
    const user = await signUp('promo@example.test');
    await t.app
      .get(PromoCodesService)
      .create({ code: 'WELCOME-10', amount: '10', maxRedemptions: 5 });
    const redeemed = await request(t.server)
      .post('/api/credits/redeem')
      .set(user.auth)
      .send({ code: 'welcome-10' });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ status: 'ok', amount: '10', new_balance: '35.5' });
    await request(t.server)
      .post('/api/credits/redeem')
      .set(user.auth)
      .send({ code: 'WELCOME-10' })
      .expect(409);
    for (let i = 0; i < 8; i++) {
      await request(t.server)
        .post('/api/credits/redeem')
        .set(user.auth)
        .send({ code: `GUESS-${i}` })
        .expect(404);
    }
    const limited = await request(t.server)
      .post('/api/credits/redeem')
      .set(user.auth)
      .send({ code: 'GUESS-X' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('requires an access token', async () => {
    await request(t.server).get('/api/credits/balance').expect(401);
    await request(t.server).post('/api/credits/redeem').send({ code: 'X' }).expect(401);
  });
});
