import { PromoCodesService } from '../../src/credits/promo/promo-codes.service';
import { accountFacts, ledgerViolations } from '../support/credits';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

describe('promo codes', () => {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  let t: TestApp;
  let promos: PromoCodesService;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { DATABASE_POOL_SIZE: '20' } });
    promos = t.app.get(PromoCodesService);
  });
  afterAll(() => t.close());
  afterEach(async () => {
    expect(await ledgerViolations(t.database)).toEqual([]);
  });

  it('redeems once per user as a promo ledger row, case-insensitively', async () => {
    const user = await insertUser(t.database);
    const promo = await promos.create({ code: 'Welcome-50', amount: '50.5', maxRedemptions: 10 });
    expect(promo).toMatchObject({ code: 'WELCOME-50', amount: '50.5', redemption_count: 0 });
    const result = await promos.redeem(user.id, ' welcome-50 ');
    expect(result).toEqual({
      status: 'ok',
      code: 'WELCOME-50',
      amount: '50.5',
      new_balance: '50.5',
      transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await expect(promos.redeem(user.id, 'WELCOME-50')).rejects.toMatchObject({
      kind: 'conflict',
    });
    expect(await accountFacts(t.database, user.id)).toEqual({
      balance: '50.5000',
      ledgerSum: '50.5000',
      rows: 2,
    });
  });

  it('unknown → 404, expired/exhausted → 410, duplicate code → 409', async () => {
    const user = await insertUser(t.database);
    await expect(promos.redeem(user.id, 'NO-SUCH-CODE')).rejects.toMatchObject({
      kind: 'not_found',
    });
    await promos.create({
      code: 'SOON-GONE',
      amount: 1,
      maxRedemptions: 5,
      expiresAt: new Date('2026-05-01T01:00:00Z'),
    });
    clock.advance(3_600_000);
    await expect(promos.redeem(user.id, 'SOON-GONE')).rejects.toMatchObject({
      kind: 'gone',
      details: { reason: 'expired' },
    });
    await promos.create({ code: 'ONE-SHOT', amount: 1, maxRedemptions: 1 });
    await promos.redeem(user.id, 'ONE-SHOT');
    const other = await insertUser(t.database);
    await expect(promos.redeem(other.id, 'ONE-SHOT')).rejects.toMatchObject({
      kind: 'gone',
      details: { reason: 'exhausted' },
    });
    await expect(
      promos.create({ code: 'one-shot', amount: 1, maxRedemptions: 1 }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    const generated = await promos.create({ amount: 2, maxRedemptions: 1 });
    expect(generated.code).toMatch(/^[A-HJKMNP-Z2-9]{10}$/);
  });

  it('the last use of a code claimed by 20 users at once goes to exactly one', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => insertUser(t.database)));
    await promos.create({ code: 'LAST-ONE', amount: 7, maxRedemptions: 3 });
    // Two uses are gone already; one is left.
    const early = await Promise.all(Array.from({ length: 2 }, () => insertUser(t.database)));
    for (const u of early) await promos.redeem(u.id, 'LAST-ONE');

    const outcomes = await Promise.allSettled(users.map((u) => promos.redeem(u.id, 'LAST-ONE')));
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ kind: 'gone' });
    }
    const [code] = await t.database.query(
      `SELECT redemption_count FROM promo_codes WHERE code = 'LAST-ONE'`,
    );
    expect(code).toEqual({ redemption_count: 3 });
    const [redemptions] = await t.database.query(
      `SELECT count(*)::int AS n FROM promo_redemptions r JOIN promo_codes p ON p.id = r.promo_code_id
        WHERE p.code = 'LAST-ONE'`,
    );
    expect(redemptions).toEqual({ n: 3 });
  });
});
