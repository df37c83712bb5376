import { RedisConnection } from '../cache/redis-connection';
import { FakeClock } from '../../test/support/fake-clock';
import { RateLimitedError, RateLimiterService } from './rate-limiter.service';

// Without REDIS_URL the limiter counts in memory against the injected clock.
const noRedis = {
  client: null,
  ready: false,
  keyPrefix: 'unit:',
  defineUnpipelinedCommand: () => undefined,
} as unknown as RedisConnection;

describe('RateLimiterService in memory', () => {
  let clock: FakeClock;
  let limiter: RateLimiterService;

  beforeEach(() => {
    clock = new FakeClock();
    limiter = new RateLimiterService(noRedis, clock);
  });

  it('allows `limit` hits per window, then refuses with the time left', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await limiter.consume('login:1.2.3.4', 3, 60_000)).allowed).toBe(true);
    }
    clock.advance(20_000);
    const refused = await limiter.consume('login:1.2.3.4', 3, 60_000);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 40 });
    await expect(limiter.hit('login:1.2.3.4', 3, 60_000)).rejects.toThrow(RateLimitedError);
  });

  it('starts a new window once the old one has passed', async () => {
    await limiter.consume('k', 1, 60_000);
    expect((await limiter.consume('k', 1, 60_000)).allowed).toBe(false);
    clock.advance(60_000);
    expect((await limiter.consume('k', 1, 60_000)).allowed).toBe(true);
  });

  it('reports exhaustion without counting, and forgets a key on reset', async () => {
    expect((await limiter.isExceeded('k', 2)).exceeded).toBe(false);
    await limiter.consume('k', 2, 60_000);
    await limiter.consume('k', 2, 60_000);
    expect(await limiter.isExceeded('k', 2)).toEqual({ exceeded: true, retryAfterSeconds: 60 });
    await limiter.reset('k');
    expect((await limiter.isExceeded('k', 2)).exceeded).toBe(false);
  });

  it('keeps keys apart', async () => {
    await limiter.consume('a', 1, 60_000);
    expect((await limiter.consume('b', 1, 60_000)).allowed).toBe(true);
  });
});

describe('RateLimiterService back-off in memory (S-17)', () => {
  const policy = { free: 3, baseMs: 1_000, maxMs: 5_000, forgetAfterMs: 60_000 };
  let clock: FakeClock;
  let limiter: RateLimiterService;

  beforeEach(() => {
    clock = new FakeClock();
    limiter = new RateLimiterService(noRedis, clock);
  });

  it('lets `free` attempts through, then closes for base · 2^n up to the maximum', async () => {
    for (let i = 0; i < 3; i++) await limiter.takeBackoff('pair', policy);
    await expect(limiter.takeBackoff('pair', policy)).rejects.toThrow(RateLimitedError);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      let waited = 0;
      while (
        await limiter.takeBackoff('pair', policy).then(
          () => false,
          () => true,
        )
      ) {
        clock.advance(500);
        waited += 500;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 5_000]);
  });

  it('a given-back attempt neither counts nor keeps the key closed', async () => {
    await limiter.takeBackoff('pair', policy);
    await limiter.takeBackoff('pair', policy);
    const third = await limiter.takeBackoff('pair', policy);
    await limiter.giveBackBackoff(third);
    const again = await limiter.takeBackoff('pair', policy);
    expect(again.before).toBe(0);
    await expect(limiter.takeBackoff('pair', policy)).rejects.toThrow(RateLimitedError);
  });

  it('reset forgets the key; other keys are untouched; quiet keys are forgotten', async () => {
    for (let i = 0; i < 3; i++) await limiter.takeBackoff('a', policy);
    await expect(limiter.takeBackoff('a', policy)).rejects.toThrow(RateLimitedError);
    await limiter.takeBackoff('b', policy);
    await limiter.reset('a');
    await limiter.takeBackoff('a', policy);
    clock.advance(61_000);
    for (let i = 0; i < 3; i++) await limiter.takeBackoff('b', policy);
  });
});
