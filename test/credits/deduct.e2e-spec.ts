import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { DataSource } from 'typeorm';
import { CreditLedgerService } from '../../src/credits/credit-ledger.service';
import {
  accountFacts,
  asSora2,
  CREDITS_TEST_ENV,
  ledgerViolations,
  topUp,
} from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

describe('credit API: check, deduct, refund', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...CREDITS_TEST_ENV, DATABASE_POOL_SIZE: '20' } });
  });
  afterAll(() => t.close());

  afterEach(async () => {
    expect(await ledgerViolations(t.database)).toEqual([]);
  });

  it('checks, deducts and refunds with the seed contract, one ledger row each', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '150');

    const check = await asSora2(t, 'check', user.id, {
      service: 'sora2-video-generation',
      cost: 30,
    }).expect(200);
    expect(check.body).toEqual({
      sufficient: true,
      balance: '150',
      user_id: user.id,
      userId: user.id,
    });

    const deduct = await asSora2(t, 'deduct', user.id, {
      service: 'sora2-video-generation',
      cost: 30,
      metadata: { videoId: 'v-1', duration: 60, resolution: '1080p' },
    }).expect(200);
    expect(deduct.body).toEqual({
      status: 'ok',
      new_balance: '120',
      available: '120',
      transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: user.id,
      userId: user.id,
    });

    const [row] = await t.database.query(
      `SELECT type, service, amount::text, balance_before::text, balance_after::text, metadata, actor
         FROM credit_transactions WHERE id = $1`,
      [deduct.body.transaction_id],
    );
    expect(row).toEqual({
      type: 'deduct',
      service: 'sora2-video-generation',
      amount: '-30.0000',
      balance_before: '150.0000',
      balance_after: '120.0000',
      metadata: { videoId: 'v-1', duration: 60, resolution: '1080p' },
      actor: 'api_key:sora2',
    });

    const partial = await asSora2(t, 'refund', user.id, {
      transaction_id: deduct.body.transaction_id,
      amount: '10.5',
      reason: 'render failed halfway',
    }).expect(200);
    expect(partial.body).toMatchObject({
      status: 'ok',
      new_balance: '130.5',
      refunded_transaction_id: deduct.body.transaction_id,
      amount: '10.5',
      refundable: '19.5',
    });

    const beyond = await asSora2(t, 'refund', user.id, {
      transaction_id: deduct.body.transaction_id,
      amount: 20,
      reason: 'again',
    }).expect(409);
    expect(beyond.body).toMatchObject({ refundable: '19.5', requested: '20' });

    const rest = await asSora2(t, 'refund', user.id, {
      transaction_id: deduct.body.transaction_id,
      reason: 'the rest',
    }).expect(200);
    expect(rest.body).toMatchObject({ new_balance: '150', amount: '19.5', refundable: '0' });
    await asSora2(t, 'refund', user.id, {
      transaction_id: deduct.body.transaction_id,
      reason: 'once more',
    }).expect(409);

    expect(await accountFacts(t.database, user.id)).toEqual({
      balance: '150.0000',
      ledgerSum: '150.0000',
      rows: 5, // signup, topup, deduct, two refunds
    });
  });

  it('answers 402 with the available balance and changes nothing', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '5.25');
    const check = await asSora2(t, 'check', user.id, { service: 's', cost: 6 }).expect(402);
    expect(check.body).toMatchObject({
      statusCode: 402,
      sufficient: false,
      balance: '5.25',
      required: '6',
      user_id: user.id,
      userId: user.id,
    });
    const deduct = await asSora2(t, 'deduct', user.id, { service: 's', cost: 6 }).expect(402);
    expect(deduct.body).toMatchObject({
      error: 'Insufficient credits',
      balance: '5.25',
      required: '6',
    });
    expect((await accountFacts(t.database, user.id)).balance).toBe('5.2500');
  });

  it('keeps exact decimals: 0.1 + 0.2 is 0.3', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '1');
    await asSora2(t, 'deduct', user.id, { service: 's', cost: 0.1 }).expect(200);
    const res = await asSora2(t, 'deduct', user.id, { service: 's', cost: '0.2' }).expect(200);
    expect(res.body.new_balance).toBe('0.7');
    const check = await asSora2(t, 'check', user.id, { service: 's', cost: '0.7' }).expect(200);
    expect(check.body.balance).toBe('0.7');
    await asSora2(t, 'deduct', user.id, { service: 's', cost: '0.7001' }).expect(402);
  });

  it('answers 404 for an unknown user and for a deduction this caller did not make', async () => {
    await asSora2(t, 'check', randomUUID(), { service: 's', cost: 1 }).expect(404);
    await asSora2(t, 'deduct', randomUUID(), { service: 's', cost: 1 }).expect(404);

    const user = await insertUser(t.database);
    const other = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const deduct = await asSora2(t, 'deduct', user.id, { service: 's', cost: 1 }).expect(200);
    // Another user's X-User-ID: not this user's deduction.
    await asSora2(t, 'refund', other.id, {
      transaction_id: deduct.body.transaction_id,
      reason: 'x',
    }).expect(404);
    // The top-up row is not a deduction.
    const [topup] = await t.database.query<{ id: string }>(
      `SELECT id FROM credit_transactions WHERE user_id = $1 AND type = 'topup'`,
      [user.id],
    );
    await asSora2(t, 'refund', user.id, { transaction_id: topup.id, reason: 'x' }).expect(404);
  });

  it('200 concurrent deducts of 3 on 300: exactly 100 succeed, 100 get 402, balance 0', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '300');
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        asSora2(t, 'deduct', user.id, { service: 'sora2', cost: 3, metadata: { i } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(100);
    const balances = responses
      .filter((r) => r.status === 200)
      .map((r) => r.body.new_balance as string);
    expect(new Set(balances).size).toBe(100); // every success saw a distinct balance

    expect(await accountFacts(t.database, user.id)).toEqual({
      balance: '0.0000',
      ledgerSum: '0.0000',
      rows: 102,
    });
  });

  it('50 concurrent copies with one Idempotency-Key charge once; a later retry replays', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '100');
    const key = `video-${randomUUID()}`;
    const body = { service: 'sora2', cost: 7, metadata: { videoId: 'v-50' } };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        asSora2(t, 'deduct', user.id, body, { 'Idempotency-Key': key }),
      ),
    );
    const ok = responses.filter((r) => r.status === 200);
    const conflicts = responses.filter((r) => r.status === 409);
    expect(ok.length + conflicts.length).toBe(50);
    expect(ok.length).toBeGreaterThan(0);
    const first = ok[0].body;
    for (const r of ok) expect(r.body).toEqual(first);

    const retry = await asSora2(t, 'deduct', user.id, body, { 'Idempotency-Key': key });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first);

    expect(await accountFacts(t.database, user.id)).toEqual({
      balance: '93.0000',
      ledgerSum: '93.0000',
      rows: 3,
    });
    const rows = await t.database.query(
      `SELECT id FROM credit_transactions WHERE idempotency_key = $1`,
      [key],
    );
    expect(rows).toEqual([{ id: first.transaction_id }]);
  });

  it('the same key with a different body → 422; a stored 402 is replayed', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const key = randomUUID();
    await asSora2(
      t,
      'deduct',
      user.id,
      { service: 's', cost: 4 },
      { 'Idempotency-Key': key },
    ).expect(200);
    const changed = await asSora2(
      t,
      'deduct',
      user.id,
      { service: 's', cost: 5 },
      {
        'Idempotency-Key': key,
      },
    ).expect(422);
    expect(changed.body.message).toMatch(/different request/);
    // Another user under the same key is another request too.
    const other = await insertUser(t.database);
    await asSora2(
      t,
      'deduct',
      other.id,
      { service: 's', cost: 4 },
      { 'Idempotency-Key': key },
    ).expect(422);

    const poorKey = randomUUID();
    const refused = await asSora2(
      t,
      'deduct',
      user.id,
      { service: 's', cost: 50 },
      {
        'Idempotency-Key': poorKey,
      },
    ).expect(402);
    await topUp(t, user.id, '100');
    const replayed = await asSora2(
      t,
      'deduct',
      user.id,
      { service: 's', cost: 50 },
      {
        'Idempotency-Key': poorKey,
      },
    ).expect(402);
    expect({ ...replayed.body, requestId: 'x' }).toEqual({ ...refused.body, requestId: 'x' });

    await asSora2(
      t,
      'deduct',
      user.id,
      { service: 's', cost: 1 },
      {
        'Idempotency-Key': 'has spaces',
      },
    ).expect(400);
  });

  it('two concurrent full refunds of one deduction: exactly one succeeds', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '40');
    const deduct = await asSora2(t, 'deduct', user.id, { service: 's', cost: 25 }).expect(200);
    const refunds = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        asSora2(t, 'refund', user.id, {
          transaction_id: deduct.body.transaction_id,
          reason: `attempt ${i}`,
        }),
      ),
    );
    expect(refunds.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    expect(await accountFacts(t.database, user.id)).toMatchObject({
      balance: '40.0000',
      rows: 4,
    });
  });

  it('openAccount writes the signup row inside the caller transaction and rolls back with it', async () => {
    const ledger = t.app.get(CreditLedgerService);
    const dataSource = t.app.get(DataSource);
    const user = await insertUser(t.database);
    await expect(
      dataSource.transaction(async (tx) => {
        await ledger.openAccount(tx, user.id);
        throw new Error('sign-up failed later');
      }),
    ).rejects.toThrow('sign-up failed later');
    expect(
      await t.database.query(`SELECT 1 FROM credit_accounts WHERE user_id = $1`, [user.id]),
    ).toEqual([]);

    await dataSource.transaction((tx) => ledger.openAccount(tx, user.id));
    const rows = await t.database.query(
      `SELECT type, amount::text, actor FROM credit_transactions WHERE user_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([{ type: 'signup', amount: '0.0000', actor: 'system' }]);
  });

  it('the ledger is append-only', async () => {
    await expect(t.database.query(`DELETE FROM credit_transactions`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.database.query(`UPDATE credit_transactions SET amount = 0`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('keeps the bare seed contract out: X-User-ID alone → 401', async () => {
    const user = await insertUser(t.database);
    const res = await request(t.server)
      .post('/api/mcp/v1/credits/deduct')
      .set('X-User-ID', user.id)
      .send({ service: 's', cost: 1 })
      .expect(401);
    expect(res.body.message).toMatch(/X-API-Key/);
  });
});
