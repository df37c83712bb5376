import { request } from '../support/contract';
import { startTestApp, TestApp } from '../support/test-app';
import { accessTokenFor, insertUser } from '../support/users';

const NEW_MODEL = {
  name: 'Test Model',
  provider: 'anthropic',
  upstream_model: 'claude-up',
  input_price_per_1k: '0.25',
  output_price_per_1k: '1.125',
  max_output_tokens: 2048,
  fallback: 'gpt-4o-mini',
  enabled: true,
};

describe('Admin model routes /api/admin/models', () => {
  let t: TestApp;
  let admin: string;
  let user: string;
  let adminId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const adminUser = await insertUser(t.database, { role: 'admin' });
    adminId = adminUser.id;
    admin = await accessTokenFor(t, adminUser, 'admin');
    user = await accessTokenFor(t, await insertUser(t.database));
  });
  afterAll(() => t.close());

  it('is for admins only', async () => {
    await request(t.server).get('/api/admin/models').expect(401);
    await request(t.server).get('/api/admin/models').auth(user, { type: 'bearer' }).expect(403);
    await request(t.server)
      .patch('/api/admin/models/gpt-4o-mini')
      .auth(user, { type: 'bearer' })
      .send({ enabled: false })
      .expect(403);
  });

  it('creates a model with PUT, audited, and lists it to users at once', async () => {
    const res = await request(t.server)
      .put('/api/admin/models/test-model')
      .auth(admin, { type: 'bearer' })
      .send(NEW_MODEL)
      .expect(200);
    expect(res.body).toMatchObject({
      id: 'test-model',
      input_price_per_1k: '0.25',
      upstream_model: 'claude-up',
      enabled: true,
    });
    const listed = await request(t.server).get('/api/mcp/v1/models').expect(200);
    expect(listed.body.models).toContainEqual(
      expect.objectContaining({
        id: 'test-model',
        output_price_per_1k: '1.125',
        fallback: 'gpt-4o-mini',
      }),
    );
    const [audit] = await t.database.query<{ actor_id: string; before: unknown; after: unknown }>(
      `SELECT actor_id, before, after FROM audit_log WHERE action = 'model.put' AND target_id = 'test-model'`,
    );
    expect(audit.actor_id).toBe(adminId);
    expect(audit.before).toBeNull();
    expect(audit.after).toMatchObject({ id: 'test-model', input_price_per_1k: '0.25' });
  });

  it('changes prices and disables with PATCH; disabled models leave the public list', async () => {
    await request(t.server)
      .patch('/api/admin/models/gpt-4o-mini')
      .auth(admin, { type: 'bearer' })
      .send({ input_price_per_1k: '0.02', enabled: false })
      .expect(200);
    const [row] = await t.database.query<{ price: string; enabled: boolean }>(
      `SELECT input_price_per_1k::text AS price, enabled FROM models WHERE id = 'gpt-4o-mini'`,
    );
    expect(row).toEqual({ price: '0.020000', enabled: false });
    const listed = await request(t.server).get('/api/mcp/v1/models').expect(200);
    expect(listed.body.models.map((m: { id: string }) => m.id)).not.toContain('gpt-4o-mini');
    const all = await request(t.server).get('/api/admin/models').auth(admin, { type: 'bearer' });
    expect(all.body).toContainEqual(expect.objectContaining({ id: 'gpt-4o-mini', enabled: false }));
    const [audit] = await t.database.query<{ before: { input_price_per_1k: string } }>(
      `SELECT before FROM audit_log WHERE action = 'model.patch' AND target_id = 'gpt-4o-mini'`,
    );
    expect(audit.before.input_price_per_1k).toBe('0.015');
  });

  it('still accepts the camelCase names of the last release, never both names of one field', async () => {
    const res = await request(t.server)
      .put('/api/admin/models/legacy-model')
      .auth(admin, { type: 'bearer' })
      .send({
        name: 'Legacy',
        provider: 'openai',
        upstreamModel: 'gpt-up',
        inputPricePer1k: '0.5',
        outputPricePer1k: '0.75',
        maxOutputTokens: 1000,
        enabled: true,
      })
      .expect(200);
    expect(res.body).toMatchObject({
      upstream_model: 'gpt-up',
      input_price_per_1k: '0.5',
      output_price_per_1k: '0.75',
      max_output_tokens: 1000,
    });
    const both = await request(t.server)
      .patch('/api/admin/models/legacy-model')
      .auth(admin, { type: 'bearer' })
      .send({ inputPricePer1k: '1', input_price_per_1k: '2' })
      .expect(400);
    expect(both.body.message).toBe('Send input_price_per_1k only: inputPricePer1k is its old name');
    await request(t.server)
      .patch('/api/admin/models/legacy-model')
      .auth(admin, { type: 'bearer' })
      .send({ maxOutputTokens: 2000 })
      .expect(200)
      .expect((r) => expect(r.body.max_output_tokens).toBe(2000));
  });

  it('refuses bad prices, unknown models, unknown or self fallbacks', async () => {
    const put = (id: string, body: object) =>
      request(t.server).put(`/api/admin/models/${id}`).auth(admin, { type: 'bearer' }).send(body);
    await put('x', { ...NEW_MODEL, input_price_per_1k: '-1' }).expect(400);
    await put('x', { ...NEW_MODEL, input_price_per_1k: 0.5 }).expect(400);
    await put('x', { ...NEW_MODEL, provider: 'mistral' }).expect(400);
    await put('x', { ...NEW_MODEL, fallback: 'nope' }).expect(422);
    await put('x', { ...NEW_MODEL, fallback: 'x' }).expect(422);
    await request(t.server)
      .patch('/api/admin/models/nope')
      .auth(admin, { type: 'bearer' })
      .send({ enabled: true })
      .expect(404);
  });
});
