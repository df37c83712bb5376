import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CreditHoldsService } from '../../src/credits/credit-holds.service';
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

describe('credit holds: reserve, capture, release, expiry', () => {
  const clock = new FakeClock('2026-04-01T09:00:00Z');
  let t: TestApp;
  let holds: CreditHoldsService;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ...CREDITS_TEST_ENV, DATABASE_POOL_SIZE: '20' } });
    holds = t.app.get(CreditHoldsService);
  });
  afterAll(() => t.close());

  afterEach(async () => {
    expect(await ledgerViolations(t.database)).toEqual([]);
  });

  it('reserves against the available balance; capture charges the actual amount once', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '100');
    const hold = await asSora2(t, 'holds', user.id, {
      service: 'sora2',
      amount: 60,
      ttl_seconds: 300,
    }).expect(201);
    expect(hold.body).toEqual({
      hold_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: user.id,
      service: 'sora2',
      amount: '60',
      expires_at: '2026-04-01T09:05:00.000Z',
      available: '40',
    });
    // Held credits are not available to anything else.
    const check = await asSora2(t, 'check', user.id, { service: 's', cost: 41 }).expect(402);
    expect(check.body.balance).toBe('40');
    await asSora2(t, 'deduct', user.id, { service: 's', cost: 41 }).expect(402);
    await asSora2(t, 'holds', user.id, { service: 's', amount: 41 }).expect(402);

    const capture = await asSora2(t, `holds/${hold.body.hold_id}/capture`, user.id, {
      amount: '45.5',
      metadata: { videoId: 'v-9' },
    }).expect(200);
    expect(capture.body).toEqual({
      hold_id: hold.body.hold_id,
      transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      new_balance: '54.5',
      available: '54.5',
      captured_amount: '45.5',
      released_amount: '14.5',
    });
    const [row] = await t.database.query(
      `SELECT type, amount::text, metadata FROM credit_transactions WHERE id = $1`,
      [capture.body.transaction_id],
    );
    expect(row).toEqual({
      type: 'deduct',
      amount: '-45.5000',
      metadata: { videoId: 'v-9', hold_id: hold.body.hold_id },
    });

    const again = await asSora2(t, `holds/${hold.body.hold_id}/capture`, user.id, {
      amount: 1,
    }).expect(409);
    expect(again.body).toMatchObject({ status: 'captured' });
    await asSora2(t, `holds/${hold.body.hold_id}/release`, user.id, {}).expect(409);
    // A captured hold's transaction is refundable like any deduction of this caller.
    await asSora2(t, 'refund', user.id, {
      transaction_id: capture.body.transaction_id,
      reason: 'video failed',
    }).expect(200);
    expect(await accountFacts(t.database, user.id)).toMatchObject({ balance: '100.0000' });
  });

  it('release frees the hold without a ledger row; releasing twice is fine', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const hold = await asSora2(t, 'holds', user.id, { service: 's', amount: 10 }).expect(201);
    const rowsBefore = (await accountFacts(t.database, user.id)).rows;
    const released = await asSora2(t, `holds/${hold.body.hold_id}/release`, user.id, {}).expect(
      200,
    );
    expect(released.body).toEqual({
      hold_id: hold.body.hold_id,
      status: 'released',
      available: '10',
    });
    await asSora2(t, `holds/${hold.body.hold_id}/release`, user.id, {}).expect(200);
    await asSora2(t, `holds/${hold.body.hold_id}/capture`, user.id, { amount: 1 }).expect(409);
    expect((await accountFacts(t.database, user.id)).rows).toBe(rowsBefore);
  });

  it('capture beyond the reserved amount → 409; an unknown or foreign hold → 404', async () => {
    const user = await insertUser(t.database);
    const other = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const hold = await asSora2(t, 'holds', user.id, { service: 's', amount: 5 }).expect(201);
    const over = await asSora2(t, `holds/${hold.body.hold_id}/capture`, user.id, {
      amount: '5.0001',
    }).expect(409);
    expect(over.body).toMatchObject({ reserved: '5', requested: '5.0001' });
    await asSora2(t, `holds/${hold.body.hold_id}/capture`, other.id, { amount: 1 }).expect(404);
    await asSora2(t, `holds/${hold.body.hold_id}/release`, other.id, {}).expect(404);
    await asSora2(t, `holds/00000000-0000-4000-8000-000000000000/capture`, user.id, {
      amount: 1,
    }).expect(404);
    await asSora2(t, `holds/not-a-uuid/capture`, user.id, { amount: 1 }).expect(400);
  });

  it('an expired hold stops counting and cannot be captured', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '20');
    const hold = await asSora2(t, 'holds', user.id, {
      service: 's',
      amount: 15,
      ttl_seconds: 60,
    }).expect(201);
    await asSora2(t, 'check', user.id, { service: 's', cost: 6 }).expect(402);
    clock.advance(60_000);
    const check = await asSora2(t, 'check', user.id, { service: 's', cost: 20 }).expect(200);
    expect(check.body.balance).toBe('20');
    const late = await asSora2(t, `holds/${hold.body.hold_id}/capture`, user.id, {
      amount: 15,
    }).expect(409);
    expect(late.body).toMatchObject({ status: 'expired' });
    // The operations that met it released it already, before any housekeeping ran.
    const stateOf = () =>
      t.database.query(
        `SELECT h.status, a.held::text FROM credit_holds h JOIN credit_accounts a USING (user_id)
          WHERE h.id = $1`,
        [hold.body.hold_id],
      );
    expect(await stateOf()).toEqual([{ status: 'expired', held: '0.0000' }]);
    // Housekeeping leaves a hold already settled as it is.
    await holds.expireStale();
    expect(await stateOf()).toEqual([{ status: 'expired', held: '0.0000' }]);
    await asSora2(t, 'holds', user.id, { service: 's', amount: 15, ttl_seconds: 0 }).expect(400);
  });

  it('the service API the chat gateway uses: chat rows, zero capture releases', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '1');
    const hold = await holds.reserve({
      userId: user.id,
      amount: '0.5',
      ttlSeconds: 120,
      service: 'chat:gpt-4o-mini',
      actor: `user:${user.id}`,
    });
    expect(hold).toMatchObject({ amount: '0.5', available: '0.5' });
    const captured = await holds.capture(hold.holdId, {
      amount: '0.0123',
      type: 'chat',
      metadata: { requestId: 'r1', inputTokens: 12, outputTokens: 30 },
    });
    expect(captured).toMatchObject({ balance: '0.9877', available: '0.9877' });
    const [row] = await t.database.query<{ type: string; amount: string }>(
      `SELECT type, amount::text FROM credit_transactions WHERE id = $1`,
      [captured.transactionId],
    );
    expect(row).toEqual({ type: 'chat', amount: '-0.0123' });

    const nothing = await holds.reserve({ userId: user.id, amount: '0.3', service: 'chat' });
    const zero = await holds.capture(nothing.holdId, { amount: 0, type: 'chat' });
    expect(zero).toMatchObject({ transactionId: null, balance: '0.9877', releasedAmount: '0.3' });
    await expect(
      holds.reserve({ userId: user.id, amount: '0.9878', service: 'chat' }),
    ).rejects.toMatchObject({ kind: 'payment_required' });
  });

  it('the first hold of a user opens the account; disabled or unknown users cannot reserve', async () => {
    const fresh = await insertUser(t.database);
    await expect(
      holds.reserve({ userId: fresh.id, amount: '999999', service: 'chat' }),
    ).rejects.toMatchObject({ kind: 'payment_required' });
    const [account] = await t.database.query(
      `SELECT count(*)::int AS n FROM credit_accounts WHERE user_id = $1`,
      [fresh.id],
    );
    expect(account).toEqual({ n: 1 });

    const disabled = await insertUser(t.database, { status: 'disabled' });
    await expect(
      holds.reserve({ userId: disabled.id, amount: '1', service: 'chat' }),
    ).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(
      holds.reserve({
        userId: '00000000-0000-4000-8000-000000000000',
        amount: '1',
        service: 'chat',
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('captures and releases of one hold at once: one outcome settles it, at most one ledger row', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const hold = await holds.reserve({ userId: user.id, amount: '5', service: 'chat' });
    const captures = Array.from({ length: 8 }, () =>
      holds.capture(hold.holdId, { amount: '2', type: 'chat' }),
    );
    const releases = Array.from({ length: 4 }, () => holds.release(hold.holdId));
    const [captured, released] = await Promise.all([
      Promise.allSettled(captures),
      Promise.allSettled(releases),
    ]);
    const capturedOk = captured.filter((r) => r.status === 'fulfilled').length;
    const releasedOk = released.filter((r) => r.status === 'fulfilled').length;
    // Releasing twice is fine, so either one capture won, or the releases did and no capture.
    if (capturedOk === 1) expect(releasedOk).toBe(0);
    else expect([capturedOk, releasedOk]).toEqual([0, 4]);
    for (const r of [...captured, ...released]) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ kind: 'conflict' });
    }
    expect(await accountFacts(t.database, user.id)).toMatchObject({
      balance: capturedOk === 1 ? '8.0000' : '10.0000',
    });
  });

  it('holds and deducts mixed, 200 at once on 300: exactly 100 charges of 3, balance 0', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '300');
    const viaHold = async (): Promise<boolean> => {
      const res = await asSora2(t, 'holds', user.id, { service: 'sora2', amount: 3 });
      if (res.status === 402) return false;
      expect(res.status).toBe(201);
      await asSora2(t, `holds/${res.body.hold_id}/capture`, user.id, { amount: 3 }).expect(200);
      return true;
    };
    const viaDeduct = async (): Promise<boolean> => {
      const res = await asSora2(t, 'deduct', user.id, { service: 'sora2', cost: 3 });
      expect([200, 402]).toContain(res.status);
      return res.status === 200;
    };
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? viaHold() : viaDeduct())),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(100);
    expect(await accountFacts(t.database, user.id)).toEqual({
      balance: '0.0000',
      ledgerSum: '0.0000',
      rows: 102,
    });
    const [active] = await t.database.query(
      `SELECT count(*)::int AS n FROM credit_holds WHERE user_id = $1 AND status = 'active'`,
      [user.id],
    );
    expect(active).toEqual({ n: 0 });
  });

  it('hold operations honour Idempotency-Key', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const headers = { 'Idempotency-Key': 'hold-once' };
    const copies = await Promise.all(
      Array.from({ length: 5 }, () =>
        asSora2(t, 'holds', user.id, { service: 's', amount: 4 }, headers),
      ),
    );
    const created = copies.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThan(0);
    for (const r of created) expect(r.body.hold_id).toBe(created[0].body.hold_id);
    const [count] = await t.database.query(
      `SELECT count(*)::int AS n FROM credit_holds WHERE user_id = $1`,
      [user.id],
    );
    expect(count).toEqual({ n: 1 });
  });

  it('a hold that need not wait for the WAL flush commits, and only its own transaction skips the wait', async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '10');
    const holdsAtOnce = await Promise.all(
      Array.from({ length: 5 }, () =>
        holds.reserve({ userId: user.id, amount: '1', service: 'chat', awaitFlush: false }),
      ),
    );
    const [account] = await t.database.query<{ held: string; active: number }>(
      `SELECT held::text,
              (SELECT count(*)::int FROM credit_holds WHERE id = ANY($2::uuid[]) AND status = 'active') AS active
         FROM credit_accounts WHERE user_id = $1`,
      [user.id, holdsAtOnce.map((h) => h.holdId)],
    );
    expect(account).toEqual({ held: '5.0000', active: 5 });
    // Every connection of the app's pool is back to waiting for the flush (the default).
    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    const clients = await Promise.all(Array.from({ length: 20 }, () => pool.connect()));
    try {
      const settings = await Promise.all(
        clients.map(
          async (c) =>
            (await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0],
        ),
      );
      expect(settings).toEqual(Array(20).fill({ synchronous_commit: 'on' }));
    } finally {
      clients.forEach((c) => c.release());
    }
  });
});
