import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { RedisConnection } from '../../src/cache/redis-connection';
import { ModelsRepository } from '../../src/mcp/models/models.repository';
import { ModelsService } from '../../src/mcp/models/models.service';
import { eventually } from '../support/eventually';
import { FakeClock } from '../support/fake-clock';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { describeWithRedis } from '../support/test-environment';
import { accessTokenFor, insertUser } from '../support/users';

/**
 * Issue 15: the model catalogue (prices, switches, fallbacks) is cached per instance; an admin's
 * change on one instance is announced over Redis pub/sub, so every instance applies it to the
 * next chat instead of after its cache lapses. The clock stands still: only the announcement
 * can make the other instance read the model again.
 */
/** A read of the catalogue held until `release()`, and whether anyone is waiting for it. */
function heldReads(t: TestApp) {
  const repository = t.app.get(ModelsRepository);
  const original = repository.findEnabled.bind(repository);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const spy = jest
    .spyOn(repository, 'findEnabled')
    .mockImplementation(async (id) => gate.then(() => original(id)));
  return {
    spy,
    /** Lets the held reads run and waits for them, then reads go to PostgreSQL directly again. */
    release: async () => {
      release();
      await Promise.allSettled(spy.mock.results.map((r) => r.value as Promise<unknown>));
      spy.mockRestore();
    },
  };
}

/** Whether a promise has settled once the work already queued has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/** Instances A and B on one database and one Redis key prefix, with the test model `id`. */
async function twoInstances(
  env: Record<string, string>,
  clock: FakeClock,
  id: string,
): Promise<[TestApp, TestApp]> {
  const a = await startTestApp({ env, clock });
  const b = await startTestApp({ env, clock, database: a.database });
  await insertModel(a, id);
  return [a, b];
}

async function insertModel(t: TestApp, id: string): Promise<void> {
  await t.database.query(
    `INSERT INTO models (id, display_name, provider, upstream_model, input_price_per_1k, output_price_per_1k, max_output_tokens)
     VALUES ($1, $1, 'anthropic', 'claude-up', 1, 1, 4096)`,
    [id],
  );
}

/** An admin switches model `id` on instance `t`, through the admin API. */
async function switchModel(t: TestApp, id: string, enabled: boolean): Promise<void> {
  const admin = await insertUser(t.database, { role: 'admin' });
  await request(t.server)
    .patch(`/api/admin/models/${id}`)
    .set('Authorization', `Bearer ${await accessTokenFor(t, admin, 'admin')}`)
    .send({ enabled })
    .expect(200);
}

/** Within 1 s: before the 2.5 s after which a cached model used to be read again. */
const soon = (assertion: () => Promise<unknown>) => eventually(assertion, 1000, 20);

describeWithRedis('Model catalogue across two instances on one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const clock = new FakeClock();

  beforeAll(async () => {
    [a, b] = await twoInstances({ REDIS_KEY_PREFIX: `test:${randomUUID()}:` }, clock, 't-switch');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('refuses a model on instance B as soon as an admin disables it on instance A', async () => {
    const onB = b.app.get(ModelsService);
    await expect(onB.resolve('t-switch')).resolves.toMatchObject({ primary: { id: 't-switch' } });
    await switchModel(a, 't-switch', false);
    await soon(() =>
      expect(onB.resolve('t-switch')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' }),
    );

    await switchModel(a, 't-switch', true);
    await soon(() =>
      expect(onB.resolve('t-switch')).resolves.toMatchObject({ primary: { id: 't-switch' } }),
    );
  });

  it('while the announcements are heard, a chat never waits for a catalogue read: an older model is used once more and read again in the background', async () => {
    const onA = a.app.get(ModelsService);
    await onA.resolve('t-switch');
    clock.advance(60_000); // far past the 5 s a model is otherwise reused
    const reads = heldReads(a);
    try {
      await expect(settled(onA.resolve('t-switch'))).resolves.toBe(true);
      expect(reads.spy).toHaveBeenCalledTimes(1); // the refresh, in the background
    } finally {
      await reads.release();
    }
  });
});

describe('Model catalogue after Redis restarts', () => {
  const clock = new FakeClock();
  let redis: PrivateRedisServer;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    [a, b] = await twoInstances(
      { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'restart:' },
      clock,
      't-restart',
    );
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('subscribes again once Redis is back, so a change on A reaches B at once again', async () => {
    await redis.stop();
    await redis.resume();
    // Both instances listen again (the subscription does not survive the restart).
    const channel = `${a.config.redis.keyPrefix}models:changed`;
    await eventually(async () =>
      expect(await redis.command('PUBSUB', 'NUMSUB', channel)).toEqual([channel, 2]),
    );
    const onB = b.app.get(ModelsService);
    await expect(onB.resolve('t-restart')).resolves.toMatchObject({ primary: { id: 't-restart' } });
    // A announces through its command connection, which reconnects on its own schedule.
    await eventually(() => expect(a.app.get(RedisConnection).ready).toBe(true));
    await switchModel(a, 't-restart', false);
    // The clock stands still: only the announcement makes B read the model again.
    await soon(() =>
      expect(onB.resolve('t-restart')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' }),
    );
  });
});

describe('Model catalogue without Redis', () => {
  const clock = new FakeClock();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { REDIS_URL: '' }, clock });
    await insertModel(t, 't-alone');
  });
  afterAll(() => t?.close());

  it('hears no announcements, so a model older than 5 s is read again before a chat uses it', async () => {
    const models = t.app.get(ModelsService);
    await models.resolve('t-alone');
    clock.advance(4_000);
    const early = heldReads(t);
    try {
      await expect(settled(models.resolve('t-alone'))).resolves.toBe(true);
    } finally {
      await early.release();
    }
    clock.advance(6_000);
    const reads = heldReads(t);
    const resolved = models.resolve('t-alone');
    await expect(settled(resolved)).resolves.toBe(false);
    await reads.release();
    await expect(resolved).resolves.toMatchObject({ primary: { id: 't-alone' } });
  });
});
