import { randomUUID } from 'node:crypto';
import { asSora2, CREDITS_TEST_ENV, topUp } from '../support/credits';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

const LIMIT = 20;
const PARALLEL = 50;

/** Script calls (EVAL and EVALSHA) the private Redis has answered since its last RESETSTAT. */
async function scriptCalls(redis: PrivateRedisServer): Promise<number> {
  const info = String(await redis.command('INFO', 'commandstats'));
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) {
    calls += Number(match[1]);
  }
  return calls;
}

describe('integration-key rate limit: concurrent hits share Redis round trips, exactly', () => {
  let redis: PrivateRedisServer;
  let t: TestApp;
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    t = await startTestApp({
      env: {
        ...CREDITS_TEST_ENV,
        INTEGRATION_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: prefix,
        // The pause below must not count as a frozen Redis.
        REDIS_COMMAND_TIMEOUT: '10s',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it(`${PARALLEL} parallel calls with one key: exactly ${LIMIT} pass, every one is counted, in far fewer script calls`, async () => {
    const user = await insertUser(t.database);
    await topUp(t, user.id, '1000');
    // Warm the key cache (one call), then start from a clean count of calls and hits.
    await asSora2(t, 'check', user.id, { service: 's', cost: 1 }).expect(200);
    const counters = await redis.command('KEYS', `${prefix}limit:integration-key:*`);
    await redis.command('DEL', ...(counters as string[]));
    await redis.command('CONFIG', 'RESETSTAT');

    // Writes wait for a second: the first call is held in Redis while the others arrive.
    await redis.command('CLIENT', 'PAUSE', '1000', 'WRITE');
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        asSora2(t, 'deduct', user.id, { service: 's', cost: '0.5' }),
      ),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(PARALLEL - LIMIT);
    // Every hit counted once, refused ones included (as one call per hit would).
    const [counter] = (await redis.command('KEYS', `${prefix}limit:integration-key:*`)) as string[];
    expect(Number(await redis.command('GET', counter))).toBe(PARALLEL);
    // One round trip per request before; now the hits that waited went together.
    expect(await scriptCalls(redis)).toBeLessThanOrEqual(PARALLEL / 5);
    // And the ledger has exactly the successes.
    const [{ rows }] = await t.database.query<{ rows: string }>(
      `SELECT count(*)::text AS rows FROM credit_transactions WHERE user_id = $1 AND type = 'deduct'`,
      [user.id],
    );
    expect(Number(rows)).toBe(LIMIT);
  });
});
