import { randomUUID } from 'node:crypto';
import { formatUnits, parseUnits } from '../../src/common/money/credit-amount';
import { CreditHoldsService } from '../../src/credits/credit-holds.service';
import { CreditLedgerService } from '../../src/credits/credit-ledger.service';
import { PromoCodesService } from '../../src/credits/promo/promo-codes.service';
import { asSora2, CREDITS_TEST_ENV, ledgerViolations, topUp } from '../support/credits';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

/** MONEY_SEED=<n> replays a run; every run prints its seed. */
const SEED = Number(process.env.MONEY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const USERS = 5;
const WAVES = 8;
const PER_WAVE = 40;
const START = 100n * 10_000n;

/** mulberry32: small, fast, good enough to drive a workload, and reproducible from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function units(text: string): bigint {
  const parsed = parseUnits(text);
  if (!('units' in parsed)) throw new Error(`not an amount: ${text}`);
  return parsed.units;
}

interface Deduct {
  user: string;
  cost: bigint;
  transactionId: string;
}
interface KeyedRequest {
  user: string;
  key: string;
  body: { service: string; cost: string };
  status: number;
  response: Record<string, unknown>;
}
interface Hold {
  user: string;
  id: string;
  amount: bigint;
}

describe('money invariants under a seeded random concurrent workload', () => {
  const clock = new FakeClock('2026-05-01T10:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ...CREDITS_TEST_ENV, DATABASE_POOL_SIZE: '20' } });
  });
  afterAll(() => t.close());

  it('keeps balance = Σ ledger, held = Σ active holds and every answer exact', async () => {
    process.stdout.write(`money invariants seed: ${SEED} (MONEY_SEED=${SEED} replays it)\n`);
    const random = prng(SEED);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const amount = (maxCredits: number) => BigInt(1 + Math.floor(random() * maxCredits * 10_000)); // units, ≥ 0.0001

    const users: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const user = await insertUser(t.database);
      await topUp(t, user.id, '100');
      users.push(user.id);
    }
    const promo = await t.app.get(PromoCodesService).create({ amount: '5', maxRedemptions: 3 });
    const ledger = t.app.get(CreditLedgerService);
    const holdsService = t.app.get(CreditHoldsService);

    // What the answers say happened to each balance (units); compared with the database at the end.
    const moved = new Map<string, bigint>(users.map((u) => [u, 0n]));
    const move = (user: string, delta: bigint) => moved.set(user, moved.get(user)! + delta);
    const deductsDone: Deduct[] = [];
    const keyed: KeyedRequest[] = [];
    const holds: Hold[] = [];
    const unexpected: string[] = [];
    const expectStatus = (what: string, status: number, allowed: number[]) => {
      if (!allowed.includes(status)) unexpected.push(`${what}: ${status}`);
    };

    const operations: (() => Promise<void>)[] = [
      // deduct, with or without an Idempotency-Key
      async () => {
        const user = pick(users);
        const body = { service: 'sora2', cost: formatUnits(amount(15)) };
        const key = random() < 0.4 ? `k-${randomUUID()}` : undefined;
        const res = await asSora2(t, 'deduct', user, body, key ? { 'Idempotency-Key': key } : {});
        expectStatus('deduct', res.status, [200, 402]);
        if (res.status === 200) {
          move(user, -units(body.cost));
          deductsDone.push({
            user,
            cost: units(body.cost),
            transactionId: res.body.transaction_id,
          });
        }
        if (key) keyed.push({ user, key, body, status: res.status, response: res.body });
      },
      // a retry of an earlier keyed request: the same body replays it, another body → 422
      async () => {
        if (keyed.length === 0) return;
        const earlier = pick(keyed);
        const same = random() < 0.7;
        const body = same ? earlier.body : { ...earlier.body, cost: '0.0001' };
        const res = await asSora2(t, 'deduct', earlier.user, body, {
          'Idempotency-Key': earlier.key,
        });
        if (!same || earlier.body.cost === '0.0001') {
          expectStatus('retry with another body', res.status, same ? [earlier.status] : [422]);
          return;
        }
        expectStatus('retry', res.status, [earlier.status]);
        if (
          JSON.stringify({ ...res.body, requestId: 0 }) !==
          JSON.stringify({ ...earlier.response, requestId: 0 })
        ) {
          unexpected.push(`retry answered ${JSON.stringify(res.body)}`);
        }
      },
      // refund, in part or in full, of an earlier deduct
      async () => {
        if (deductsDone.length === 0) return;
        const original = pick(deductsDone);
        const partial = random() < 0.5;
        const body = {
          transaction_id: original.transactionId,
          reason: 'random',
          ...(partial
            ? { amount: formatUnits(1n + BigInt(Math.floor(random() * Number(original.cost)))) }
            : {}),
        };
        const res = await asSora2(t, 'refund', original.user, body);
        expectStatus('refund', res.status, [200, 409]);
        if (res.status === 200) move(original.user, units(res.body.amount));
      },
      // reserve with a short TTL (the clock moves between waves)
      async () => {
        const user = pick(users);
        const held = amount(10);
        const res = await asSora2(t, 'holds', user, {
          service: 'sora2',
          amount: formatUnits(held),
          ttl_seconds: 1 + Math.floor(random() * 3),
        });
        expectStatus('reserve', res.status, [201, 402]);
        if (res.status === 201) holds.push({ user, id: res.body.hold_id, amount: held });
      },
      // capture (sometimes more than held: 409), or release
      async () => {
        if (holds.length === 0) return;
        const hold = pick(holds);
        if (random() < 0.3) {
          const res = await asSora2(t, `holds/${hold.id}/release`, hold.user, {});
          expectStatus('release', res.status, [200, 409]);
          return;
        }
        const take =
          random() < 0.1 ? hold.amount + 1n : BigInt(Math.floor(random() * Number(hold.amount)));
        const res = await asSora2(t, `holds/${hold.id}/capture`, hold.user, {
          amount: formatUnits(take),
        });
        expectStatus('capture', res.status, [200, 409]);
        if (res.status === 200) move(hold.user, -units(res.body.captured_amount));
      },
      // an operator's top-up
      async () => {
        const user = pick(users);
        const added = amount(20);
        await topUp(t, user, formatUnits(added));
        move(user, added);
      },
      // promo redemption: once per user, three users at most
      async () => {
        const user = pick(users);
        try {
          const res = await t.app.get(PromoCodesService).redeem(user, promo.code);
          move(user, units(res.amount));
        } catch (error) {
          const kind = (error as { kind?: string }).kind;
          if (!['conflict', 'gone', 'rate_limited'].includes(kind ?? '')) {
            unexpected.push(`redeem: ${String(error)}`);
          }
        }
      },
    ];

    for (let wave = 0; wave < WAVES; wave++) {
      await Promise.all(Array.from({ length: PER_WAVE }, () => pick(operations)()));
      clock.advance(Math.floor(random() * 2000));
    }

    expect(unexpected).toEqual([]);
    // The workload did exercise the paths it is about.
    expect(deductsDone.length).toBeGreaterThan(0);
    expect(keyed.length).toBeGreaterThan(0);
    expect(holds.length).toBeGreaterThan(0);
    expect(await ledgerViolations(t.database)).toEqual([]);
    for (const user of users) {
      const [row] = await t.database.query<{ balance: string; held: string; available: string }>(
        `SELECT balance::text, held::text, available::text FROM credit_accounts WHERE user_id = $1`,
        [user],
      );
      expect([user, units(row.balance)]).toEqual([user, START + moved.get(user)!]);
      expect(units(row.available)).toBeGreaterThanOrEqual(0n);
    }
    // One ledger row per Idempotency-Key; refunds never beyond their deduction.
    expect(
      await t.database.query(
        `SELECT idempotency_key FROM credit_transactions WHERE idempotency_key IS NOT NULL
          GROUP BY actor, idempotency_key HAVING count(*) > 1`,
      ),
    ).toEqual([]);
    expect(
      await t.database.query(
        `SELECT o.id FROM credit_transactions o JOIN credit_transactions r
            ON r.refunds_transaction_id = o.id
          GROUP BY o.id, o.amount HAVING sum(r.amount) > -o.amount`,
      ),
    ).toEqual([]);
    const [redeemed] = await t.database.query<{ count: number; rows: number }>(
      `SELECT p.redemption_count AS count,
              (SELECT count(*)::int FROM promo_redemptions r WHERE r.promo_code_id = p.id) AS rows
         FROM promo_codes p WHERE p.id = $1`,
      [promo.id],
    );
    expect(redeemed.count).toBe(redeemed.rows);
    expect(redeemed.count).toBeLessThanOrEqual(3);

    // Once every hold has expired, housekeeping leaves nothing held.
    clock.advance(10_000);
    await holdsService.expireStale();
    expect(await t.database.query(`SELECT user_id FROM credit_accounts WHERE held <> 0`)).toEqual(
      [],
    );
    expect(await ledgerViolations(t.database)).toEqual([]);
    expect(await ledger.balance(users[0])).toMatchObject({ held: '0' });
  });
});
