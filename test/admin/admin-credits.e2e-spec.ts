import { randomUUID } from 'node:crypto';
import { CreditHoldsService } from '../../src/credits/credit-holds.service';
import {
  ADMIN_TEST_ENV,
  adminApi,
  auditRows,
  Caller,
  itemsOf,
  listOf,
  userWithToken,
} from '../support/admin';
import {
  accountFacts,
  asSora2,
  CREDITS_TEST_ENV,
  ledgerViolations,
  topUp,
} from '../support/credits';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

describe('Admin API: credits', () => {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  let t: TestApp;
  let admin: Caller;
  let api: ReturnType<typeof adminApi>;

  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: { ...ADMIN_TEST_ENV, ...CREDITS_TEST_ENV, DATABASE_POOL_SIZE: '30' },
    });
    admin = await userWithToken(t, { role: 'admin' });
    api = adminApi(t, admin);
  });
  afterAll(() => t.close());
  afterEach(async () => {
    expect(await ledgerViolations(t.database)).toEqual([]);
  });

  describe('top-up', () => {
    it('adds a topup ledger row, answers the new balance and audits who, what, before and after', async () => {
      const user = await insertUser(t.database);
      const res = await api
        .post(`/users/${user.id}/credits/top-up`)
        .set('X-Request-ID', 'req-topup-1')
        .send({ amount: '100.5', reason: 'ticket #1' })
        .expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        new_balance: '100.5',
        available: '100.5',
        transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        amount: '100.5',
        user_id: user.id,
      });
      const [row] = await t.database.query<{ type: string; actor: string; metadata: object }>(
        `SELECT type, actor, metadata FROM credit_transactions WHERE id = $1`,
        [res.body.transaction_id],
      );
      expect(row).toEqual({
        type: 'topup',
        actor: `admin:${admin.id}`,
        metadata: { reason: 'ticket #1' },
      });
      const audit = (await auditRows(t, 'credits.topup')).filter((a) => a.target_id === user.id);
      expect(audit).toEqual([
        {
          actor_id: admin.id,
          actor_type: 'admin',
          target_type: 'user',
          target_id: user.id,
          before: { balance: '0' },
          after: {
            balance: '100.5',
            amount: '100.5',
            transaction_id: res.body.transaction_id,
            reason: 'ticket #1',
          },
          request_id: 'req-topup-1',
          ip: expect.stringMatching(/127\.0\.0\.1/),
        },
      ]);
    });

    it('400 for a bad amount, reason or id; 404 for an unknown user; none of them writes anything', async () => {
      const user = await insertUser(t.database);
      const auditBefore = await t.database.query(`SELECT id FROM audit_log`);
      for (const body of [
        { amount: 0, reason: 'x' },
        { amount: -5, reason: 'x' },
        { amount: 'ten', reason: 'x' },
        { amount: '1.00001', reason: 'x' },
        { amount: '1000001', reason: 'x' },
        { amount: 5 },
        { amount: 5, reason: '' },
        { amount: 5, reason: 'x', extra: true },
      ]) {
        const res = await api.post(`/users/${user.id}/credits/top-up`).send(body);
        expect([res.status, body]).toEqual([400, body]);
      }
      await api
        .post('/users/not-a-uuid/credits/top-up')
        .send({ amount: 5, reason: 'x' })
        .expect(400);
      await api
        .post(`/users/${randomUUID()}/credits/top-up`)
        .send({ amount: 5, reason: 'x' })
        .expect(404);
      await api
        .post(`/users/${user.id}/credits/top-up`)
        .set('Idempotency-Key', 'bad key with spaces')
        .send({ amount: 5, reason: 'x' })
        .expect(400);
      expect(await t.database.query(`SELECT id FROM audit_log`)).toEqual(auditBefore);
      expect(
        (await accountFacts(t.database, user.id).catch(() => null))?.rows ?? 0,
      ).toBeLessThanOrEqual(1);
    });

    it('is idempotent: 20 concurrent copies with one Idempotency-Key make one row and one audit row', async () => {
      const user = await insertUser(t.database);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          api
            .post(`/users/${user.id}/credits/top-up`)
            .set('Idempotency-Key', 'topup-7f3a')
            .send({ amount: 25, reason: 'promo campaign' }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      for (const r of responses) expect(r.body).toEqual(responses[0].body);
      const facts = await accountFacts(t.database, user.id);
      expect(facts).toMatchObject({ balance: '25.0000', ledgerSum: '25.0000' });
      const rows = await t.database.query(
        `SELECT id FROM credit_transactions WHERE user_id = $1 AND type = 'topup'`,
        [user.id],
      );
      expect(rows).toHaveLength(1);
      expect(
        (await auditRows(t, 'credits.topup')).filter((a) => a.target_id === user.id),
      ).toHaveLength(1);
      // The same key with another body is refused; the key belongs to this admin only.
      await api
        .post(`/users/${user.id}/credits/top-up`)
        .set('Idempotency-Key', 'topup-7f3a')
        .send({ amount: 26, reason: 'promo campaign' })
        .expect(422);
      const other = await userWithToken(t, { role: 'admin' });
      await adminApi(t, other)
        .post(`/users/${user.id}/credits/top-up`)
        .set('Idempotency-Key', 'topup-7f3a')
        .send({ amount: 25, reason: 'promo campaign' })
        .expect(200);
      expect((await accountFacts(t.database, user.id)).balance).toBe('50.0000');
    });
  });

  describe('adjust', () => {
    it('adds or takes a signed amount as an adjustment row, never below zero (402 with the available balance)', async () => {
      const user = await insertUser(t.database);
      await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: '10', reason: 'goodwill' })
        .expect(200);
      clock.advance(1000);
      const refused = await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: '-10.0001', reason: 'clawback' })
        .expect(402);
      expect(refused.body).toMatchObject({ balance: '10', required: '10.0001' });
      const taken = await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: -10, reason: 'clawback' })
        .expect(200);
      expect(taken.body).toMatchObject({ new_balance: '0', amount: '-10' });
      await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: 0, reason: 'x' })
        .expect(400);
      await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: 'x', reason: 'x' })
        .expect(400);
      await api.post(`/users/${user.id}/credits/adjust`).send({ reason: 'x' }).expect(400);
      const audit = (await auditRows(t, 'credits.adjustment')).filter(
        (a) => a.target_id === user.id,
      );
      expect(audit.map((a) => [a.before, a.after?.balance])).toEqual([
        [{ balance: '0' }, '10'],
        [{ balance: '10' }, '0'],
      ]);
    });

    it('cannot take credits that are held', async () => {
      const user = await insertUser(t.database);
      await topUp(t, user.id, '50');
      await t.app
        .get(CreditHoldsService)
        .reserve({ userId: user.id, amount: '40', service: 'sora2' });
      const res = await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: -20, reason: 'x' })
        .expect(402);
      expect(res.body).toMatchObject({ balance: '10', required: '20' });
    });
  });

  describe('audit rows live and die with their change', () => {
    afterEach(async () => {
      await t.database.query(`DROP TRIGGER IF EXISTS refuse_boom ON audit_log`);
    });

    it('a mutation whose audit row fails to insert leaves nothing: no ledger row, no balance change', async () => {
      const user = await insertUser(t.database);
      await t.database.query(`
        CREATE OR REPLACE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.after->>'reason' = 'boom' THEN RAISE EXCEPTION 'audit insert refused'; END IF;
          RETURN NEW;
        END $$`);
      await t.database.query(
        `CREATE TRIGGER refuse_boom BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_boom()`,
      );
      await api
        .post(`/users/${user.id}/credits/top-up`)
        .send({ amount: 5, reason: 'boom' })
        .expect(500);
      expect(
        await t.database.query(
          `SELECT id FROM credit_transactions WHERE user_id = $1 AND type = 'topup'`,
          [user.id],
        ),
      ).toEqual([]);
      await api
        .post(`/users/${user.id}/credits/top-up`)
        .send({ amount: 5, reason: 'fine' })
        .expect(200);
      expect((await accountFacts(t.database, user.id)).balance).toBe('5.0000');
    });

    it('a refused mutation leaves no audit row', async () => {
      const user = await insertUser(t.database);
      await api
        .post(`/users/${user.id}/credits/adjust`)
        .send({ amount: -1, reason: 'nothing there' })
        .expect(402);
      expect(
        (await auditRows(t, 'credits.adjustment')).filter((a) => a.target_id === user.id),
      ).toEqual([]);
    });
  });

  it("shows a user's balance, available credits, active holds and recent rows; 404 for nobody", async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '100');
    clock.advance(1000);
    const hold = await t.app
      .get(CreditHoldsService)
      .reserve({ userId: user.id, amount: '30', service: 'sora2-video-generation' });
    await asSora2(t, 'deduct', user.id, { service: 'sora2-video-generation', cost: 7 }).expect(200);
    const res = await api.get(`/users/${user.id}/credits`).expect(200);
    expect(res.body).toMatchObject({
      user_id: user.id,
      balance: '93',
      available: '63',
      held: '30',
      active_holds: [{ hold_id: hold.holdId, service: 'sora2-video-generation', amount: '30' }],
    });
    // The account was opened (a `signup` row of 0) by the first top-up.
    const types = (res.body as { recent_transactions: { type: string }[] }).recent_transactions.map(
      (r) => r.type,
    );
    expect(types[0]).toBe('deduct');
    expect(types.slice(1).sort()).toEqual(['signup', 'topup']);
    await api.get(`/users/${randomUUID()}/credits`).expect(404);
    await api.get(`/users/nope/credits`).expect(400);
  });

  describe('refund', () => {
    it('refunds any deduction in part, then the rest, then 409; audited; 404 for what is not a deduction', async () => {
      const user = await insertUser(t.database);
      await topUp(t, user.id, '100');
      const deduct = await asSora2(t, 'deduct', user.id, {
        service: 'sora2-video-generation',
        cost: 30,
      }).expect(200);
      const id = deduct.body.transaction_id as string;
      const part = await api
        .post(`/transactions/${id}/refund`)
        .set('Idempotency-Key', 'refund-1')
        .send({ amount: 10, reason: 'partial render' })
        .expect(200);
      expect(part.body).toMatchObject({ new_balance: '80', amount: '10', refundable: '20' });
      clock.advance(1000);
      // A retry of the same request replays; nothing more is refunded.
      await api
        .post(`/transactions/${id}/refund`)
        .set('Idempotency-Key', 'refund-1')
        .send({ amount: 10, reason: 'partial render' })
        .expect(200);
      const rest = await api
        .post(`/transactions/${id}/refund`)
        .send({ reason: 'failed' })
        .expect(200);
      expect(rest.body).toMatchObject({ new_balance: '100', amount: '20', refundable: '0' });
      const again = await api
        .post(`/transactions/${id}/refund`)
        .send({ reason: 'again' })
        .expect(409);
      expect(again.body).toMatchObject({ refundable: '0' });
      await api.post(`/transactions/${randomUUID()}/refund`).send({ reason: 'x' }).expect(404);
      const [topupRow] = await t.database.query<{ id: string }>(
        `SELECT id FROM credit_transactions WHERE user_id = $1 AND type = 'topup'`,
        [user.id],
      );
      await api.post(`/transactions/${topupRow.id}/refund`).send({ reason: 'x' }).expect(404);
      await api.post(`/transactions/${id}/refund`).send({ amount: -1, reason: 'x' }).expect(400);
      await api.post(`/transactions/${id}/refund`).send({}).expect(400);
      const audit = (await auditRows(t, 'credits.refund')).filter((a) => a.target_id === id);
      expect(audit.map((a) => [a.before, a.after?.amount, a.after?.balance])).toEqual([
        [{ user_id: user.id, balance: '70' }, '10', '80'],
        [{ user_id: user.id, balance: '80' }, '20', '100'],
      ]);
    });
  });

  describe('transactions', () => {
    it('filters by user, type, service and time, and pages newest first without gaps or repeats', async () => {
      const user = await insertUser(t.database);
      await topUp(t, user.id, '1000');
      for (let i = 0; i < 7; i++) {
        clock.advance(1000);
        await asSora2(t, 'deduct', user.id, {
          service: i % 2 ? 'chat' : 'video',
          cost: i + 1,
        }).expect(200);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await api
          .get('/transactions')
          .query({ user_id: user.id, type: 'deduct', limit: 3, ...(cursor ? { cursor } : {}) })
          .expect(200);
        seen.push(...itemsOf<{ amount: string }>(res).map((r) => r.amount));
        cursor = res.body.next_cursor as string | null;
      } while (cursor);
      expect(seen).toEqual(['-7', '-6', '-5', '-4', '-3', '-2', '-1']);
      const chat = await api
        .get('/transactions')
        .query({ user_id: user.id, service: 'chat' })
        .expect(200);
      expect(itemsOf<{ amount: string }>(chat).map((r) => r.amount)).toEqual(['-6', '-4', '-2']);
      expect(chat.body.items[0]).toMatchObject({
        user_id: user.id,
        type: 'deduct',
        actor: 'api_key:sora2',
      });
      const window = await api
        .get('/transactions')
        .query({
          user_id: user.id,
          from: new Date(clock.now().getTime() - 2500).toISOString(),
          to: clock.now().toISOString(),
        })
        .expect(200);
      expect(itemsOf<{ amount: string }>(window).map((r) => r.amount)).toEqual(['-6', '-5']);
      await api.get('/transactions').query({ type: 'gift' }).expect(400);
      await api.get('/transactions').query({ limit: 0 }).expect(400);
      await api.get('/transactions').query({ from: 'yesterday' }).expect(400);
      await api.get('/transactions').query({ cursor: 'abc' }).expect(400);
    });

    it('exports the same rows as CSV, with a header, quoted metadata and defused formulas', async () => {
      const user = await insertUser(t.database);
      await topUp(t, user.id, '10');
      clock.advance(1000);
      await asSora2(t, 'deduct', user.id, {
        service: 'video',
        cost: '2.5',
        metadata: { title: '=cmd|calc', note: 'a, "b"' },
      }).expect(200);
      const res = await api
        .get('/transactions')
        .query({ user_id: user.id, format: 'csv' })
        .buffer(true)
        .parse((response, done) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => done(null, text));
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe('attachment; filename="transactions.csv"');
      const lines = (res.body as string).trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'id,created_at,user_id,type,service,amount,balance_before,balance_after,actor,refunds_transaction_id,metadata',
      );
      expect(lines).toHaveLength(4); // header, deduct, then topup and signup (same instant)
      expect(lines[1]).toContain(`,${user.id},deduct,video,-2.5,10,7.5,api_key:sora2,,`);
      expect(lines[1]).toContain('""title"":""=cmd|calc""');
      expect(lines[1]).toContain('""note"":""a, \\""b\\""""');
      expect(lines.slice(2).join('\n')).toContain(',topup,,10,0,10,admin:test,,');
    });
  });

  it('usage: credits spent and added, rows and users per day, service, model and user', async () => {
    const [a, b] = [await insertUser(t.database), await insertUser(t.database)];
    clock.advanceDays(10);
    const day1 = clock.now().toISOString().slice(0, 10);
    await topUp(t, a.id, '100');
    await topUp(t, b.id, '50');
    await asSora2(t, 'deduct', a.id, {
      service: 'video',
      cost: 30,
      metadata: { model: 'sora-2' },
    }).expect(200);
    clock.advanceDays(1);
    const day2 = clock.now().toISOString().slice(0, 10);
    const chat = await asSora2(t, 'deduct', b.id, {
      service: 'chat',
      cost: '1.25',
      metadata: { model: 'gpt-4o' },
    }).expect(200);
    await asSora2(t, 'deduct', a.id, {
      service: 'video',
      cost: 10,
      metadata: { model: 'sora-2' },
    }).expect(200);
    await asSora2(t, 'refund', b.id, {
      transaction_id: chat.body.transaction_id,
      amount: '0.25',
      reason: 'x',
    }).expect(200);
    clock.advance(1000);
    // Fresh token: the clock moved past the first one's expiry.
    const fresh = adminApi(t, await userWithToken(t, { role: 'admin' }));
    const range = { from: `${day1}T00:00:00Z`, to: clock.now().toISOString() };

    const byDay = await fresh
      .get('/usage')
      .query({ ...range, group_by: 'day' })
      .expect(200);
    expect(byDay.body).toEqual([
      // Day 1 also has both accounts' `signup` rows (0 credits), written with their first top-up.
      { key: day1, credits_spent: '30', credits_added: '150', transactions: 5, users: 2 },
      { key: day2, credits_spent: '11', credits_added: '0', transactions: 3, users: 2 },
    ]);
    const byService = await fresh
      .get('/usage')
      .query({ ...range, group_by: 'service' })
      .expect(200);
    expect(byService.body).toEqual([
      { key: 'video', credits_spent: '40', credits_added: '0', transactions: 2, users: 1 },
      { key: 'chat', credits_spent: '1', credits_added: '0', transactions: 2, users: 1 },
      { key: null, credits_spent: '0', credits_added: '150', transactions: 4, users: 2 },
    ]);
    const byModel = await fresh
      .get('/usage')
      .query({ ...range, group_by: 'model' })
      .expect(200);
    expect(
      listOf<{ key: string | null; credits_spent: string }>(byModel).map((r) => [
        r.key,
        r.credits_spent,
      ]),
    ).toEqual([
      ['sora-2', '40'],
      ['gpt-4o', '1.25'],
      [null, '-0.25'],
    ]);
    const byUser = await fresh
      .get('/usage')
      .query({ ...range, group_by: 'user', user_id: b.id })
      .expect(200);
    expect(byUser.body).toEqual([
      { key: b.id, credits_spent: '1', credits_added: '50', transactions: 4, users: 1 },
    ]);
    await fresh.get('/usage').query({ group_by: 'week' }).expect(400);
    await fresh
      .get('/usage')
      .query({ group_by: 'day', from: range.to, to: range.from })
      .expect(400);
    await fresh
      .get('/usage')
      .query({ group_by: 'day', from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })
      .expect(400);
    // Without a range: the last 30 days.
    const recent = await fresh.get('/usage').query({ group_by: 'day' }).expect(200);
    expect(listOf<{ key: string }>(recent).map((r) => r.key)).toEqual(
      expect.arrayContaining([day1, day2]),
    );
  });

  it('the audit log lists mutations newest first, filtered by actor, action and time, in pages', async () => {
    const other = await userWithToken(t, { role: 'admin' });
    const user = await insertUser(t.database);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await adminApi(t, other)
        .post(`/users/${user.id}/credits/top-up`)
        .send({ amount: i + 1, reason: `r${i}` })
        .expect(200);
    }
    const amounts: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res = await adminApi(t, other)
        .get('/audit-log')
        .query({
          actor: other.id,
          action: 'credits.topup',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        })
        .expect(200);
      amounts.push(...itemsOf<{ after: { amount: string } }>(res).map((r) => r.after.amount));
      cursor = res.body.next_cursor as string | null;
    } while (cursor);
    expect(amounts).toEqual(['5', '4', '3', '2', '1']);
    const none = await adminApi(t, other)
      .get('/audit-log')
      .query({ actor: other.id, from: new Date(clock.now().getTime() + 1).toISOString() })
      .expect(200);
    expect(none.body).toEqual({ items: [], next_cursor: null });
    await adminApi(t, other).get('/audit-log').query({ actor: 'someone' }).expect(400);
  });
});
