import type { Response } from 'supertest';
import { request } from '../support/contract';
import { ADMIN_TEST_ENV, adminApi, Caller, userWithToken } from '../support/admin';
import { CREDITS_TEST_ENV, SORA2_KEY, asSora2 } from '../support/credits';
import { fundedUser } from '../support/credit-users';
import { startTestApp, TestApp } from '../support/test-app';

const LONE_SURROGATE = '\uD800';

/** The raw JSON text of a value nested `depth` arrays deep. */
function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('hostile input: one rule where input enters (issue 13 item 5, S-06)', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...ADMIN_TEST_ENV, ...CREDITS_TEST_ENV } });
    admin = await userWithToken(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  function expect400(res: Response, ...mentions: string[]) {
    expect({ status: res.status, body: res.body as unknown }).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request' },
    });
    for (const mention of mentions) expect(res.body.message).toContain(mention);
  }

  function noInternalErrorLogged() {
    expect(t.logs.text).not.toContain('Request failed');
  }

  it('NUL (U+0000) in a string → 400 naming the field (was a PostgreSQL 22021 → 500)', async () => {
    const res = await request(t.server)
      .post('/api/auth/login')
      .send({ email: 'a\u0000b@example.com', password: 'whatever 1' });
    expect400(res, '"email"', 'NUL');
    noInternalErrorLogged();
  });

  it('NUL in a JSON key and in a nested value of metadata → 400 naming where', async () => {
    const user = await fundedUser(t, '10');
    const key = await asSora2(t, 'deduct', user.id, {
      service: 'video',
      cost: 1,
      metadata: { 'bad\u0000key': 1 },
    });
    expect400(key, 'key', '"metadata"', 'NUL');
    const nested = await asSora2(t, 'deduct', user.id, {
      service: 'video',
      cost: 1,
      metadata: { clips: [{ title: 'x\u0000' }] },
    });
    expect400(nested, '"metadata.clips[0].title"');
    noInternalErrorLogged();
  });

  it('a lone UTF-16 surrogate in email (URIError inside IsEmail) or reason (invalid jsonb) → 400', async () => {
    const register = await request(t.server)
      .post('/api/auth/register')
      .send({ email: `x${LONE_SURROGATE}@example.com`, password: 'a good one 1', name: 'X' });
    expect400(register, '"email"', 'surrogate');
    const user = await fundedUser(t, '10');
    const refund = await adminApi(t, admin)
      .post(`/users/${user.id}/credits/top-up`)
      .send({ amount: 1, reason: `broken ${LONE_SURROGATE}` });
    expect400(refund, '"reason"', 'surrogate');
    noInternalErrorLogged();
  });

  it('the query string follows the same rule', async () => {
    const res = await adminApi(t, admin).get('/users?search=a%00b');
    expect400(res, 'Query', '"search"', 'NUL');
    noInternalErrorLogged();
  });

  it('null for an optional string (promo `code`, `prefix`) → 400 naming the field', async () => {
    const api = adminApi(t, admin);
    const code = await api.post('/promo-codes').send({ code: null, amount: 1, max_redemptions: 1 });
    expect400(code, 'code must not be null');
    const prefix = await api
      .post('/promo-codes/batch')
      .send({ prefix: null, count: 2, amount: 1, max_redemptions: 1 });
    expect400(prefix, 'prefix must not be null');
    noInternalErrorLogged();
  });

  it('S-06: a 3,000-deep array in a 6 KB body, no login → 400 before validation, never 500', async () => {
    const body = `{"email": ${deepArray(3000)}, "password": "x"}`;
    expect(body.length).toBeLessThan(6_100);
    const res = await request(t.server)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(body);
    expect400(res, 'nested deeper than 32 levels');
    // 32 levels are fine (the DTO then refuses the wrong type, still a 400).
    const ok = await request(t.server)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email": ${deepArray(31)}, "password": "x"}`);
    expect(ok.status).toBe(400);
    expect(ok.body.message).not.toContain('nested');
    noInternalErrorLogged();
  });

  it('S-06: unauthenticated routes take at most 16 KB; the credits API takes more with a key', async () => {
    const filler = 'x'.repeat(20_000);
    const login = await request(t.server)
      .post('/api/auth/login')
      .send({ email: 'a@example.com', password: filler });
    expect(login.status).toBe(413);
    // Without a credential the credits API is held to the small limit too.
    const anonymous = await request(t.server)
      .post('/api/mcp/v1/credits/deduct')
      .send({ service: 'video', cost: 1, metadata: { filler } });
    expect(anonymous.status).toBe(413);
    // 8 KB of stored metadata can be far more on the wire when escaped.
    const user = await fundedUser(t, '10');
    const escaped = await request(t.server)
      .post('/api/mcp/v1/credits/deduct')
      .set({ 'X-API-Key': SORA2_KEY, 'X-User-ID': user.id, 'Content-Type': 'application/json' })
      .send(`{"service": "video", "cost": 1, "metadata": {"n": "${'\\u0041'.repeat(3000)}"}}`);
    expect(escaped.status).toBe(200);
  });

  it('a body that is not JSON → 415 saying so, not field-by-field noise', async () => {
    const res = await request(t.server)
      .post('/api/auth/login')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('email=a%40example.com&password=x');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    expect(res.body.message).toContain('Content-Type: application/json');
    expect(res.body.message).toContain('application/x-www-form-urlencoded');
    // A request without a body needs no Content-Type.
    const empty = await request(t.server).post('/api/auth/logout');
    expect(empty.status).not.toBe(415);
  });

  it('a numeric `code` gets a type message, not "code must be 6 digits"', async () => {
    const res = await request(t.server)
      .post('/api/auth/verify-email')
      .send({ email: 'a@example.com', code: 42917 });
    expect400(res, 'code must be a string of 6 digits', 'not a number');
    expect(res.body.message).not.toContain('code must be 6 digits');
  });

  it('a promo code created already expired is refused', async () => {
    const res = await adminApi(t, admin)
      .post('/promo-codes')
      .send({ amount: 1, max_redemptions: 1, expires_at: '2020-01-01T00:00:00Z' });
    expect400(res, 'expires_at must be in the future');
  });
});
