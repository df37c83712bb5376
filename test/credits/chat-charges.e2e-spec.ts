import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { ChatBilling } from '../../src/mcp/chat-billing';
import { ADMIN_TEST_ENV, adminApi, userWithToken } from '../support/admin';
import { fundedUser } from '../support/credit-users';
import { accountFacts, asSora2, CREDITS_TEST_ENV, ledgerViolations } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';

describe('chat charges belong to the chat gateway', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { ...ADMIN_TEST_ENV, ...CREDITS_TEST_ENV, SIGNUP_BONUS_CREDITS: '0' },
    });
  });
  afterAll(() => t.close());
  afterEach(async () => {
    expect(await ledgerViolations(t.database)).toEqual([]);
  });

  const asSession = (token: string, path: string, body: object) =>
    request(t.server).post(`/api/mcp/v1/credits/${path}`).set('X-Session-Token', token).send(body);

  it("S-02 a user's session can neither settle the gateway's chat hold nor refund a chat row; an operator can refund it", async () => {
    const user = await fundedUser(t, '100');
    const billing = t.app.get(ChatBilling);
    const { holdId } = await billing.reserve({
      payer: { userId: user.id },
      amount: '0.5',
      ttlMs: 60_000,
      requestId: 'r-s02',
      model: 'gpt-4o-mini',
      limits: {},
    });
    const [hold] = await t.database.query(`SELECT actor FROM credit_holds WHERE id = $1`, [holdId]);
    expect(hold).toEqual({ actor: 'system:chat' });

    // The session (actor user:<id>) did not create the hold: it does not exist for it.
    await asSession(user.sessionToken, `holds/${holdId}/capture`, { amount: '0.01' }).expect(404);
    await asSession(user.sessionToken, `holds/${holdId}/release`, {}).expect(404);
    // Nor for an integration key.
    await asSora2(t, `holds/${holdId}/release`, user.id, {}).expect(404);

    await billing.capture({ userId: user.id }, holdId, '0.075', {
      request_id: 'r-s02',
      model: 'gpt-4o-mini',
      provider: 'openai',
      input_tokens: 10,
      output_tokens: 20,
      conversation_id: randomUUID(),
    });
    const [row] = await t.database.query<{ id: string; type: string; actor: string }>(
      `SELECT id, type, actor FROM credit_transactions WHERE user_id = $1 AND type = 'chat'`,
      [user.id],
    );
    expect(row).toMatchObject({ type: 'chat', actor: 'system:chat' });

    // Chat is not free: neither the user's session nor an integration refunds a chat row.
    await asSession(user.sessionToken, 'refund', { transaction_id: row.id, reason: 'x' }).expect(
      404,
    );
    await asSora2(t, 'refund', user.id, { transaction_id: row.id, reason: 'x' }).expect(404);
    expect((await accountFacts(t.database, user.id)).balance).toBe('99.9250');

    // An operator may.
    const admin = await userWithToken(t, { role: 'admin' });
    await adminApi(t, admin)
      .post(`/transactions/${row.id}/refund`)
      .send({ reason: 'support ticket' })
      .expect(200);
    expect((await accountFacts(t.database, user.id)).balance).toBe('100.0000');
  });

  it('S-02 a session still settles and refunds what it created itself', async () => {
    const user = await fundedUser(t, '10');
    const hold = await asSession(user.sessionToken, 'holds', { service: 's', amount: 2 }).expect(
      201,
    );
    await asSession(user.sessionToken, `holds/${hold.body.hold_id}/capture`, {
      amount: 2,
    }).expect(200);
    const deduct = await asSession(user.sessionToken, 'deduct', { service: 's', cost: 3 }).expect(
      200,
    );
    await asSession(user.sessionToken, 'refund', {
      transaction_id: deduct.body.transaction_id,
      reason: 'mine',
    }).expect(200);
    // An integration key did not make that deduction: not its to refund.
    const again = await asSession(user.sessionToken, 'deduct', { service: 's', cost: 1 }).expect(
      200,
    );
    await asSora2(t, 'refund', user.id, {
      transaction_id: again.body.transaction_id,
      reason: 'x',
    }).expect(404);
    expect((await accountFacts(t.database, user.id)).balance).toBe('7.0000');
  });
});
