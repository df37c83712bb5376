import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { ModelsService } from '../../src/mcp/models/models.service';
import { eventually } from '../support/eventually';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';
import { describeWithRedis } from '../support/test-environment';
import { accessTokenFor, insertUser } from '../support/users';

/**
 * Issue 15: the model catalogue (prices, switches, fallbacks) is cached per instance; an admin's
 * change on one instance is announced over Redis pub/sub, so every instance applies it to the
 * next chat instead of after its cache lapses. The clock stands still: only the announcement
 * can make the other instance read the model again.
 */
describeWithRedis('Model catalogue across two instances on one Redis', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const clock = new FakeClock();
    const env = { REDIS_KEY_PREFIX: `test:${randomUUID()}:` };
    a = await startTestApp({ env, clock });
    b = await startTestApp({ env, clock, database: a.database });
    await a.database.query(
      `INSERT INTO models (id, display_name, provider, upstream_model, input_price_per_1k, output_price_per_1k, max_output_tokens)
       VALUES ('t-switch', 'Test switch', 'anthropic', 'claude-up', 1, 1, 4096)`,
    );
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('refuses a model on instance B as soon as an admin disables it on instance A', async () => {
    const admin = await insertUser(a.database, { role: 'admin' });
    const token = await accessTokenFor(a, admin, 'admin');
    const onB = b.app.get(ModelsService);
    await expect(onB.resolve('t-switch')).resolves.toMatchObject({ primary: { id: 't-switch' } });
    await request(a.server)
      .patch('/api/admin/models/t-switch')
      .set('Authorization', `Bearer ${token}`)
      .send({ enabled: false })
      .expect(200);
    // Within 1 s: before the 2.5 s after which a cached model used to be read again.
    await eventually(
      () => expect(onB.resolve('t-switch')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' }),
      1000,
      20,
    );

    await request(a.server)
      .patch('/api/admin/models/t-switch')
      .set('Authorization', `Bearer ${token}`)
      .send({ enabled: true })
      .expect(200);
    await eventually(
      () => expect(onB.resolve('t-switch')).resolves.toMatchObject({ primary: { id: 't-switch' } }),
      1000,
      20,
    );
  });
});
