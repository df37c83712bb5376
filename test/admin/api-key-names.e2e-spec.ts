import { adminApi, ADMIN_TEST_ENV, Caller, userWithToken } from '../support/admin';
import { CREDITS_TEST_ENV } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';

/** A key's name is its integration's identity: refunds and idempotency are scoped by it. */
describe('integration keys named like an existing integration', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...ADMIN_TEST_ENV, ...CREDITS_TEST_ENV } });
    admin = await userWithToken(t, { role: 'admin' });
  });
  afterAll(() => t.close());

  const create = (name: string) =>
    adminApi(t, admin)
      .post('/api-keys')
      .send({ name, scopes: ['credits:check'] });

  it('refuses (409) a name an active key has, in any letter case, and stores nothing', async () => {
    const taken = await create('SORA2').expect(409); // INTEGRATION_API_KEYS has sora2
    expect(taken.body.message).toMatch(/already named "SORA2"/);
    const rows = await t.database.query(
      `SELECT 1 FROM integration_keys WHERE lower(name) = 'sora2'`,
    );
    expect(rows).toHaveLength(1);
    await create('sora2-staging').expect(201);
  });

  it('50 parallel creations of one name: exactly one key; after revoking it the name is free', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => create('render-farm')));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const rows = await t.database.query<{ id: string }>(
      `SELECT id FROM integration_keys WHERE name = 'render-farm'`,
    );
    expect(rows).toHaveLength(1);
    await adminApi(t, admin).delete(`/api-keys/${rows[0].id}`).expect(200);
    await create('render-farm').expect(201);
  });
});
