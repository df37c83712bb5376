import { request } from '../support/contract';
import { IntegrationKeyRepository } from '../../src/integration-keys/integration-key.repository';
import { asSora2, CREDITS_TEST_ENV, SORA2_KEY } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

/** Wrong `X-API-Key`s are counted per client IP before they are looked up. */
describe('S-05 bad API keys: an atomic consume before the lookup', () => {
  let t: TestApp;
  let lookups = 0;

  beforeEach(async () => {
    t = await startTestApp({ env: { ...CREDITS_TEST_ENV, RATE_LIMIT_PER_MINUTE: '5' } });
    // Counts the key lookups the server really makes (the query still runs as written).
    const keys = t.app.get(IntegrationKeyRepository);
    const find = keys.findActiveByHash.bind(keys);
    keys.findActiveByHash = (hash) => {
      lookups += 1;
      return find(hash);
    };
    lookups = 0;
  });
  afterEach(() => t.close());

  const withKey = (key: string, userId: string) =>
    request(t.server)
      .post('/api/mcp/v1/credits/check')
      .set({ 'X-API-Key': key, 'X-User-ID': userId })
      .send({ service: 's', cost: 1 });

  it('S-05 50 parallel wrong keys: exactly the limit are looked up, the rest 429', async () => {
    const user = await insertUser(t.database);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        withKey(`sah_wrong_${String(i).padStart(30, 'x')}`, user.id),
      ),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
    expect(lookups).toBe(5);
    // A guess that happened to be right is refused too while the failures are used up.
    await withKey(SORA2_KEY, user.id).expect(429);
  });

  it('S-05 a real key gives its count back: 50 parallel first uses pass and cost no failure', async () => {
    const user = await insertUser(t.database);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => asSora2(t, 'check', user.id, { service: 's', cost: 1 })),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(50).fill(402));
    // (One shared lookup when Redis answers in time; a Redis timeout under load re-checks.)
    for (let i = 0; i < 5; i++)
      await withKey(`sah_wrong_${String(i).padStart(30, 'y')}`, user.id).expect(401);
    await withKey('sah_wrong_one_more_xxxxxxxxxxxxxxxxxx', user.id).expect(429);
  });
});
