import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { IntegrationKeysService } from '../../src/integration-keys/integration-keys.service';
import { SessionService } from '../../src/session/session.service';
import { accountFacts, asSora2, CREDITS_TEST_ENV, SORA2_KEY, topUp } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser, TestUser } from '../support/users';

describe('credit API: who may call, and what is a bad request', () => {
  let t: TestApp;
  let user: TestUser;
  let keys: IntegrationKeysService;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...CREDITS_TEST_ENV, CREDIT_MAX_AMOUNT: '10000' } });
    keys = t.app.get(IntegrationKeysService);
    user = await insertUser(t.database);
    await topUp(t, user.id, '100');
  });
  afterAll(() => t.close());

  const post = (path: string, headers: Record<string, string>, body: object) =>
    request(t.server).post(`/api/mcp/v1/credits/${path}`).set(headers).send(body);

  it('stores the INTEGRATION_API_KEYS key hashed, with every scope, and records its use', async () => {
    await asSora2(t, 'check', user.id, { service: 's', cost: 1 }).expect(200);
    const rows = await t.database.query<{ key_hash: string; scopes: string[]; last_used_at: Date }>(
      `SELECT key_hash, scopes, last_used_at FROM integration_keys WHERE name = 'sora2'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].key_hash).not.toContain(SORA2_KEY);
    expect(rows[0].scopes).toEqual([
      'credits:check',
      'credits:deduct',
      'credits:refund',
      'sessions:claim',
    ]);
    expect(rows[0].last_used_at).not.toBeNull();
    expect(t.logs.text).not.toContain(SORA2_KEY);
  });

  it.each([
    ['no credentials at all', {}],
    ['a bare X-User-ID (the seeds trusted it)', { 'X-User-ID': 'USER' }],
    [
      'an unknown API key',
      { 'X-API-Key': 'sah_unknown_key_000000000000000000000', 'X-User-ID': 'USER' },
    ],
    ['a malformed session token', { 'X-Session-Token': 'VERIFIED-nope' }],
    ['an unknown session token', { 'X-Session-Token': `VERIFIED-${'A'.repeat(43)}` }],
  ])('answers %s with 401', async (_label, headers: Record<string, string>) => {
    const withUser = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v === 'USER' ? user.id : v]),
    );
    const res = await post('deduct', withUser, { service: 's', cost: 1 }).expect(401);
    expect(res.body.statusCode).toBe(401);
    expect((await accountFacts(t.database, user.id)).balance).toBe('100.0000');
  });

  it('answers 403 for a key without the scope, 401 once revoked, 400 without X-User-ID', async () => {
    const created = await keys.create({
      name: 'reporting',
      scopes: ['credits:check'],
      userScope: 'all',
    });
    expect(created.key).toMatch(/^sah_[A-Za-z0-9_-]{32}$/);
    const headers = { 'X-API-Key': created.key, 'X-User-ID': user.id };
    await post('check', headers, { service: 's', cost: 1 }).expect(200);
    const denied = await post('deduct', headers, { service: 's', cost: 1 }).expect(403);
    expect(denied.body).toMatchObject({ requiredScope: 'credits:deduct' });
    await post('refund', headers, { transaction_id: randomUUID(), reason: 'x' }).expect(403);
    await post('holds', headers, { service: 's', amount: 1 }).expect(403);

    await post('check', { 'X-API-Key': created.key }, { service: 's', cost: 1 }).expect(400);
    const notUuid = await post(
      'check',
      { 'X-API-Key': created.key, 'X-User-ID': '42' },
      {
        service: 's',
        cost: 1,
      },
    ).expect(400);
    expect(notUuid.body.message).toBe('X-User-ID must be a UUID');

    await keys.revoke(created.id);
    await post('check', headers, { service: 's', cost: 1 }).expect(401);
  });

  it("accepts the user's own session token, with or without a matching X-User-ID", async () => {
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    const own = await post(
      'deduct',
      { 'X-Session-Token': token },
      { service: 's', cost: 2 },
    ).expect(200);
    expect(own.body.userId).toBe(user.id);
    const [row] = await t.database.query(`SELECT actor FROM credit_transactions WHERE id = $1`, [
      own.body.transaction_id,
    ]);
    expect(row).toEqual({ actor: `user:${user.id}` });
    await post(
      'check',
      { 'X-Session-Token': token, 'X-User-ID': user.id },
      {
        service: 's',
        cost: 1,
      },
    ).expect(200);

    const other = await insertUser(t.database);
    await topUp(t, other.id, '50');
    const res = await post(
      'deduct',
      { 'X-Session-Token': token, 'X-User-ID': other.id },
      {
        service: 's',
        cost: 1,
      },
    ).expect(403);
    expect(res.body.message).toMatch(/not the user of this session/);
    expect((await accountFacts(t.database, other.id)).balance).toBe('50.0000');

    // The integration cannot refund what the user's own session deducted, and vice versa.
    await asSora2(t, 'refund', user.id, {
      transaction_id: own.body.transaction_id,
      reason: 'x',
    }).expect(404);
    await post(
      'refund',
      { 'X-Session-Token': token },
      {
        transaction_id: own.body.transaction_id,
        reason: 'mine',
      },
    ).expect(200);
  });

  it('refuses to spend the credits of a disabled user (403)', async () => {
    const disabled = await insertUser(t.database, { status: 'disabled' });
    await asSora2(t, 'deduct', disabled.id, { service: 's', cost: 1 }).expect(403);
    await asSora2(t, 'check', disabled.id, { service: 's', cost: 1 }).expect(403);
  });

  it.each([
    ['a negative cost', { service: 's', cost: -1 }],
    ['a zero cost', { service: 's', cost: 0 }],
    ['NaN', { service: 's', cost: 'NaN' }],
    ['a word', { service: 's', cost: 'thirty' }],
    ['null', { service: 's', cost: null }],
    ['a boolean', { service: 's', cost: true }],
    ['an array', { service: 's', cost: [3] }],
    ['5 decimal places', { service: 's', cost: 1.00001 }],
    ['exponent notation', { service: 's', cost: 1e21 }],
    ['a huge cost', { service: 's', cost: '99999999999999999999' }],
    ['more than CREDIT_MAX_AMOUNT', { service: 's', cost: 10000.0001 }],
    ['no service', { cost: 1 }],
    ['an empty service', { service: '', cost: 1 }],
    ['an unknown field', { service: 's', cost: 1, userId: 'x' }],
    ['metadata that is not an object', { service: 's', cost: 1, metadata: 'x' }],
    ['metadata over 8 KB', { service: 's', cost: 1, metadata: { blob: 'x'.repeat(8200) } }],
  ])('answers %s with 400 and charges nothing', async (_label, body) => {
    const before = await accountFacts(t.database, user.id);
    const res = await asSora2(t, 'deduct', user.id, body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await accountFacts(t.database, user.id)).toEqual(before);
  });

  it('answers a bad refund or hold body with 400', async () => {
    await asSora2(t, 'refund', user.id, { transaction_id: 'nope', reason: 'x' }).expect(400);
    await asSora2(t, 'refund', user.id, { transaction_id: randomUUID() }).expect(400);
    await asSora2(t, 'refund', user.id, {
      transaction_id: randomUUID(),
      amount: -5,
      reason: 'x',
    }).expect(400);
    await asSora2(t, 'holds', user.id, { service: 's', amount: 1, ttl_seconds: 1.5 }).expect(400);
    await asSora2(t, 'holds', user.id, { service: 's', amount: 1, ttl_seconds: 90_000 }).expect(
      400,
    );
  });
});

describe('credit API rate limit per integration key', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...CREDITS_TEST_ENV,
        INTEGRATION_RATE_LIMIT_PER_MINUTE: '5',
        RATE_LIMIT_PER_MINUTE: '2',
      },
    });
  });
  afterAll(() => t.close());

  it('limits calls per key, not per IP: a second key from the same IP still passes', async () => {
    const user = await insertUser(t.database);
    // Five calls from one IP pass although the per-IP limit is 2: integrations are not IP-limited.
    for (let i = 0; i < 5; i++) {
      await asSora2(t, 'check', user.id, { service: 's', cost: 1 }).expect(402);
    }
    const limited = await asSora2(t, 'check', user.id, { service: 's', cost: 1 }).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const other = await t.app.get(IntegrationKeysService).create({
      name: 'other',
      scopes: ['credits:check'],
      userScope: 'all',
    });
    await request(t.server)
      .post('/api/mcp/v1/credits/check')
      .set({ 'X-API-Key': other.key, 'X-User-ID': user.id })
      .send({ service: 's', cost: 1 })
      .expect(402);
  });
});
