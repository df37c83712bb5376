import { request } from '../support/contract';
import { ADMIN_TEST_ENV, adminApi, Caller, userWithToken } from '../support/admin';
import { CREDITS_TEST_ENV, ledgerViolations, SORA2_KEY, topUp } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';

const GRANTED_ENV_KEY = 'sah_test_partner_0123456789abcdefghijklmnopqrs';

describe('Spending grants: user_scope, caps enforced by the money core, /api/grants', () => {
  let t: TestApp;
  let admin: Caller;
  let partnerKey: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...CREDITS_TEST_ENV,
        ...ADMIN_TEST_ENV,
        SIGNUP_BONUS_CREDITS: '0',
        INTEGRATION_API_KEYS: `sora2:${SORA2_KEY},partner-env:${GRANTED_ENV_KEY}:granted`,
      },
    });
    admin = await userWithToken(t, { role: 'admin' });
    const created = await adminApi(t, admin)
      .post('/api-keys')
      .send({ name: 'partner', scopes: ['credits:check', 'credits:deduct', 'credits:refund'] })
      .expect(201);
    expect(created.body.user_scope).toBe('granted');
    partnerKey = created.body.key as string;
  });
  afterAll(() => t.close());

  const deduct = (key: string, userId: string, cost: string, headers: object = {}) =>
    request(t.server)
      .post('/api/mcp/v1/credits/deduct')
      .set({ 'X-API-Key': key, 'X-User-ID': userId, ...headers })
      .send({ service: 'video', cost });

  async function userWithCredits(credits: string): Promise<Caller> {
    const user = await userWithToken(t);
    await topUp(t, user.id, credits);
    return user;
  }

  async function grantPartner(userId: string, periodCap: string, extra: object = {}) {
    const res = await adminApi(t, admin)
      .post('/grants')
      .send({
        user_id: userId,
        client_type: 'integration',
        client_id: 'partner',
        scopes: ['credits:read', 'credits:spend'],
        period: 'month',
        period_cap: periodCap,
        ...extra,
      })
      .expect(201);
    return res.body as { id: string; period_cap: string };
  }

  it('a granted key acting for a user without a grant gets 403; an `all` key goes on as before', async () => {
    const user = await userWithCredits('100');
    const refused = await deduct(partnerKey, user.id, '5').expect(403);
    expect(refused.body).toMatchObject({ statusCode: 403, client: 'partner' });
    await deduct(GRANTED_ENV_KEY, user.id, '5').expect(403);
    await deduct(SORA2_KEY, user.id, '5').expect(200);
    const keys = await adminApi(t, admin).get('/api-keys').expect(200);
    const byName = Object.fromEntries(
      (keys.body as { name: string; user_scope: string }[]).map((k) => [k.name, k.user_scope]),
    );
    expect(byName).toMatchObject({ sora2: 'all', 'partner-env': 'granted', partner: 'granted' });
  });

  it('deducts up to the cap, then 402 naming the grant limit, distinct from the balance 402', async () => {
    const user = await userWithCredits('100');
    const grant = await grantPartner(user.id, '10');
    await deduct(partnerKey, user.id, '4').expect(200);
    await deduct(partnerKey, user.id, '6').expect(200);
    const limited = await deduct(partnerKey, user.id, '0.0001').expect(402);
    expect(limited.body).toMatchObject({
      statusCode: 402,
      error: 'Grant limit reached',
      limit: 'monthly',
      remaining: '0',
      cap: '10',
      grant_id: grant.id,
    });
    expect(limited.body.resets_at).toMatch(/^\d{4}-\d{2}-01T00:00:00.000Z$/);
    // The balance's own 402 says something else.
    const poor = await userWithCredits('1');
    await grantPartner(poor.id, '10');
    const broke = await deduct(partnerKey, poor.id, '2').expect(402);
    expect(broke.body.error).toBe('Insufficient credits');
    const [row] = await t.database.query<{ period_spent: string; total_spent: string }>(
      `SELECT period_spent::text, total_spent::text FROM grants WHERE id = $1`,
      [grant.id],
    );
    expect(row).toEqual({ period_spent: '10.0000', total_spent: '10.0000' });
  });

  it('200 concurrent deducts against a cap of 50: exactly 50 spent, the rest refused', async () => {
    const user = await userWithCredits('1000');
    const grant = await grantPartner(user.id, '50');
    const results = await Promise.all(
      Array.from({ length: 200 }, () => deduct(partnerKey, user.id, '1')),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 402)).toHaveLength(150);
    const [row] = await t.database.query<{ period_spent: string; deducted: string }>(
      `SELECT g.period_spent::text,
              (SELECT -sum(amount) FROM credit_transactions
                WHERE user_id = g.user_id AND type = 'deduct')::text AS deducted
         FROM grants g WHERE g.id = $1`,
      [grant.id],
    );
    expect(row).toEqual({ period_spent: '50.0000', deducted: '50.0000' });
    expect(await ledgerViolations(t.database)).toEqual([]);
  });

  it('holds count against the grant until released; a capture counts what it charged', async () => {
    const user = await userWithCredits('100');
    const grant = await grantPartner(user.id, '10');
    const hold = await request(t.server)
      .post('/api/mcp/v1/credits/holds')
      .set({ 'X-API-Key': partnerKey, 'X-User-ID': user.id })
      .send({ service: 'video', amount: '8' })
      .expect(201);
    const holdId = (hold.body.hold_id ?? hold.body.holdId) as string;
    const over = await deduct(partnerKey, user.id, '3').expect(402);
    expect(over.body).toMatchObject({ error: 'Grant limit reached', remaining: '2' });
    await request(t.server)
      .post(`/api/mcp/v1/credits/holds/${holdId}/capture`)
      .set({ 'X-API-Key': partnerKey, 'X-User-ID': user.id })
      .send({ amount: '5' })
      .expect(200);
    await deduct(partnerKey, user.id, '5').expect(200);
    await deduct(partnerKey, user.id, '0.0001').expect(402);
    const [row] = await t.database.query<{ period_spent: string; held: string }>(
      `SELECT period_spent::text, held::text FROM grants WHERE id = $1`,
      [grant.id],
    );
    expect(row).toEqual({ period_spent: '10.0000', held: '0.0000' });
  });

  it('the user lists grants with spend and last use, lowers a cap, and revokes: the key is refused at once', async () => {
    const user = await userWithCredits('100');
    const grant = await grantPartner(user.id, '20');
    await deduct(partnerKey, user.id, '3').expect(200);
    const list = await request(t.server)
      .get('/api/grants')
      .set('Authorization', user.auth)
      .expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      id: grant.id,
      client_name: 'partner',
      client_type: 'integration',
      period: 'month',
      period_cap: '20',
      spent_this_period: '3',
      scopes: ['credits:read', 'credits:spend'],
    });
    expect(list.body.items[0].last_used_at).not.toBeNull();

    const other = await userWithToken(t);
    await request(t.server)
      .patch(`/api/grants/${grant.id}`)
      .set('Authorization', other.auth)
      .send({ period_cap: '1' })
      .expect(404);
    const lowered = await request(t.server)
      .patch(`/api/grants/${grant.id}`)
      .set('Authorization', user.auth)
      .send({ period_cap: '4' })
      .expect(200);
    expect(lowered.body).toMatchObject({ period_cap: '4', spent_this_period: '3' });
    await deduct(partnerKey, user.id, '2').expect(402);
    await request(t.server)
      .patch(`/api/grants/${grant.id}`)
      .set('Authorization', user.auth)
      .send({ period_cap: 'lots' })
      .expect(400);

    await request(t.server)
      .delete(`/api/grants/${grant.id}`)
      .set('Authorization', user.auth)
      .expect(200);
    await deduct(partnerKey, user.id, '1').expect(403);
    const after = await request(t.server)
      .get('/api/grants')
      .set('Authorization', user.auth)
      .expect(200);
    expect(after.body.items).toEqual([]);
  });

  it('admins list grants by user and app', async () => {
    const user = await userWithCredits('1');
    const grant = await grantPartner(user.id, '7');
    const res = await adminApi(t, admin).get(`/grants?user_id=${user.id}`).expect(200);
    expect(res.body.items.map((g: { id: string }) => g.id)).toEqual([grant.id]);
    await adminApi(t, admin).delete(`/grants/${grant.id}`).expect(200);
    await adminApi(t, admin).delete(`/grants/${grant.id}`).expect(404);
    const plain = await userWithToken(t);
    await request(t.server).get('/api/admin/grants').set('Authorization', plain.auth).expect(403);
  });
});
