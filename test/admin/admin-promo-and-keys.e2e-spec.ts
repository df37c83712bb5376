import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { request } from '../support/contract';
import { PromoCodesService } from '../../src/credits/promo/promo-codes.service';
import {
  ADMIN_TEST_ENV,
  adminApi,
  auditRows,
  Caller,
  itemsOf,
  listOf,
  userWithToken,
} from '../support/admin';
import { CREDITS_TEST_ENV } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

const UNAMBIGUOUS = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]+$/;

function textBody(req: Test) {
  return req.buffer(true).parse((response, done) => {
    let text = '';
    response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    response.on('end', () => done(null, text));
  });
}

describe('Admin API: promo codes and integration keys', () => {
  let t: TestApp;
  let admin: Caller;
  let api: ReturnType<typeof adminApi>;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...ADMIN_TEST_ENV, ...CREDITS_TEST_ENV } });
    admin = await userWithToken(t, { role: 'admin' });
    api = adminApi(t, admin);
  });
  afterAll(() => t.close());

  describe('promo codes', () => {
    it('creates a named code (upper-cased) or a generated one; a duplicate is 409; bad terms 400', async () => {
      const named = await api
        .post('/promo-codes')
        .send({
          code: 'spring-50',
          amount: '50',
          max_redemptions: 100,
          expires_at: '2030-01-01T00:00:00Z',
        })
        .expect(201);
      expect(named.body).toMatchObject({
        code: 'SPRING-50',
        amount: '50',
        max_redemptions: 100,
        redemption_count: 0,
        expires_at: '2030-01-01T00:00:00.000Z',
        active: true,
      });
      const generated = await api
        .post('/promo-codes')
        .send({ amount: 5, max_redemptions: 1 })
        .expect(201);
      expect(generated.body.code).toMatch(UNAMBIGUOUS);
      expect(generated.body.code).toHaveLength(10);
      const dup = await api
        .post('/promo-codes')
        .send({ code: 'Spring-50', amount: 1, max_redemptions: 1 })
        .expect(409);
      expect(dup.body).toMatchObject({ code: 'SPRING-50' });
      for (const body of [
        { code: 'x', amount: 1, max_redemptions: 1 },
        { code: 'has space', amount: 1, max_redemptions: 1 },
        { amount: 0, max_redemptions: 1 },
        { amount: 1, max_redemptions: 0 },
        { amount: 1, max_redemptions: 1.5 },
        { amount: 1, max_redemptions: 1, expires_at: 'soon' },
      ]) {
        const res = await api.post('/promo-codes').send(body);
        expect([res.status, body]).toEqual([400, body]);
      }
      const audit = (await auditRows(t, 'promo_code.create')).filter(
        (a) => a.target_id === named.body.id,
      );
      expect(audit).toEqual([
        expect.objectContaining({
          actor_id: admin.id,
          after: expect.objectContaining({ code: 'SPRING-50' }),
        }),
      ]);
    });

    it('creates 1,000 codes at once as JSON, or as CSV; more than 1,000 is 400', async () => {
      const res = await api
        .post('/promo-codes/batch')
        .send({ count: 1000, prefix: 'launch-', amount: '2.5', max_redemptions: 1 })
        .expect(201);
      expect(res.body.count).toBe(1000);
      const codes = itemsOf<{ code: string }>(res).map((p) => p.code);
      expect(new Set(codes).size).toBe(1000);
      for (const code of codes) {
        expect(code.startsWith('LAUNCH-')).toBe(true);
        expect(code.slice(7)).toMatch(UNAMBIGUOUS);
      }
      const [{ count }] = await t.database.query<{ count: string }>(
        `SELECT count(*) FROM promo_codes WHERE code LIKE 'LAUNCH-%'`,
      );
      expect(count).toBe('1000');
      const audit = await auditRows(t, 'promo_code.create_batch');
      expect(audit).toHaveLength(1);
      expect(audit[0].after).toMatchObject({ count: 1000, prefix: 'launch-', amount: '2.5' });

      const csv = await textBody(
        api
          .post('/promo-codes/batch')
          .query({ format: 'csv' })
          .send({ count: 3, amount: 1, max_redemptions: 2 }),
      ).expect(201);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = (csv.body as string).trimEnd().split('\r\n');
      expect(lines[0]).toBe('code,amount,max_redemptions,expires_at,id');
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
        expect.stringMatching(UNAMBIGUOUS),
        expect.stringMatching(UNAMBIGUOUS),
        expect.stringMatching(UNAMBIGUOUS),
      ]);
      const byAccept = await textBody(
        api
          .post('/promo-codes/batch')
          .set('Accept', 'text/csv')
          .send({ count: 1, amount: 1, max_redemptions: 1 }),
      ).expect(201);
      expect(byAccept.headers['content-type']).toMatch(/^text\/csv/);

      await api
        .post('/promo-codes/batch')
        .send({ count: 1001, amount: 1, max_redemptions: 1 })
        .expect(400);
      await api
        .post('/promo-codes/batch')
        .send({ count: 0, amount: 1, max_redemptions: 1 })
        .expect(400);
      await api
        .post('/promo-codes/batch')
        .send({ count: 2, prefix: 'bad prefix', amount: 1, max_redemptions: 1 })
        .expect(400);
    });

    it('lists codes with redemption counts; deactivating stops redemptions (410); 404 for an unknown id', async () => {
      const promo = (
        await api
          .post('/promo-codes')
          .send({ code: 'TWICE', amount: 3, max_redemptions: 2 })
          .expect(201)
      ).body;
      const promos = t.app.get(PromoCodesService);
      await promos.redeem((await insertUser(t.database)).id, 'TWICE');
      const listed = await api
        .get('/promo-codes')
        .query({ active: 'true', limit: 500 })
        .expect(200);
      expect(itemsOf<{ id: string }>(listed).find((p) => p.id === promo.id)).toMatchObject({
        code: 'TWICE',
        redemption_count: 1,
        max_redemptions: 2,
      });
      const off = await api.patch(`/promo-codes/${promo.id}`).send({ active: false }).expect(200);
      expect(off.body).toMatchObject({ id: promo.id, active: false, redemption_count: 1 });
      await expect(promos.redeem((await insertUser(t.database)).id, 'TWICE')).rejects.toMatchObject(
        { kind: 'gone' },
      );
      const inactive = await api.get('/promo-codes').query({ active: 'false' }).expect(200);
      expect(itemsOf<{ id: string }>(inactive).map((p) => p.id)).toEqual([promo.id]);
      // Pages walk every code once.
      const all = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await api
          .get('/promo-codes')
          .query({ limit: 400, ...(cursor ? { cursor } : {}) })
          .expect(200);
        for (const p of page.body.items as { id: string }[]) all.add(p.id);
        cursor = page.body.next_cursor as string | null;
      } while (cursor);
      const [{ count }] = await t.database.query<{ count: string }>(
        `SELECT count(*) FROM promo_codes`,
      );
      expect(all.size).toBe(Number(count));
      await api.patch(`/promo-codes/${randomUUID()}`).send({ active: true }).expect(404);
      await api.patch(`/promo-codes/${promo.id}`).send({ active: 'yes' }).expect(400);
      await api.get('/promo-codes').query({ active: 'maybe' }).expect(400);
      const audit = (await auditRows(t, 'promo_code.update')).filter(
        (a) => a.target_id === promo.id,
      );
      expect(audit).toEqual([
        expect.objectContaining({ before: { active: true }, after: { active: false } }),
      ]);
    });
  });

  describe('integration keys', () => {
    it('creates a key shown once, lists it without secrets, and a revoked key is refused at once', async () => {
      const created = await api
        .post('/api-keys')
        .send({
          name: 'sora2-prod',
          scopes: ['credits:check', 'credits:deduct'],
          user_scope: 'all',
        })
        .expect(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^sah_[A-Za-z0-9_-]{32}$/);
      expect(created.body).toMatchObject({
        name: 'sora2-prod',
        prefix: key.slice(0, 12),
        scopes: ['credits:check', 'credits:deduct'],
        source: 'admin',
        user_scope: 'all',
        created_by: admin.id,
        last_used_at: null,
        revoked_at: null,
      });
      const user = await insertUser(t.database);
      const check = () =>
        request(t.server)
          .post('/api/mcp/v1/credits/check')
          .set({ 'X-API-Key': key, 'X-User-ID': user.id })
          .send({ service: 'video', cost: 0.0001 });
      await check().expect(402);
      const list = await api.get('/api-keys').expect(200);
      const listed = listOf<{ id: string }>(list).find((k) => k.id === created.body.id);
      expect(listed).toMatchObject({ name: 'sora2-prod', last_used_at: expect.any(String) });
      expect(listed).not.toHaveProperty('key');
      expect(JSON.stringify(list.body)).not.toContain(key.slice(12));
      expect(listOf<{ name: string }>(list).find((k) => k.name === 'sora2')).toMatchObject({
        source: 'env',
      });

      const revoked = await api.delete(`/api-keys/${created.body.id}`).expect(200);
      expect(revoked.body.revoked_at).toEqual(expect.any(String));
      await check().expect(401);
      await api.delete(`/api-keys/${randomUUID()}`).expect(404);
      await api.delete('/api-keys/not-a-uuid').expect(400);

      const audit = await t.database.query<{ action: string; text: string }>(
        `SELECT action, after::text AS text FROM audit_log WHERE target_id = $1 ORDER BY created_at`,
        [created.body.id],
      );
      expect(audit.map((a) => a.action).sort()).toEqual(['api_key.create', 'api_key.revoke']);
      for (const a of audit) expect(a.text).not.toContain(key.slice(12));
    });

    it('400 for an unknown or empty scope list or a bad name, and nothing is stored', async () => {
      const before = await t.database.query(`SELECT id FROM integration_keys`);
      const unknown = await api
        .post('/api-keys')
        .send({ name: 'x', scopes: ['credits:check', 'credits:print'] })
        .expect(400);
      expect(unknown.body).toMatchObject({ unknownScopes: ['credits:print'] });
      await api.post('/api-keys').send({ name: 'x', scopes: [] }).expect(400);
      await api.post('/api-keys').send({ name: 'x', scopes: 'credits:check' }).expect(400);
      await api
        .post('/api-keys')
        .send({ name: 'has space', scopes: ['credits:check'] })
        .expect(400);
      await api
        .post('/api-keys')
        .send({ scopes: ['credits:check'] })
        .expect(400);
      expect(await t.database.query(`SELECT id FROM integration_keys`)).toEqual(before);
    });
  });
});
