import { RedisGuard, RedisUnavailableError } from './redis-guard';

describe('RedisGuard (REDIS_COMMAND_TIMEOUT and its breaker)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const never = () => new Promise<never>(() => undefined);

  it('passes answers through and fails a call that outlives the deadline', async () => {
    const guard = new RedisGuard('test', 250, never);
    await expect(guard.run(() => Promise.resolve('PONG'))).resolves.toBe('PONG');
    const frozen = guard.run(never);
    jest.advanceTimersByTime(250);
    await expect(frozen).rejects.toThrow(RedisUnavailableError);
    expect(guard.healthy).toBe(false);
  });

  it('after a timeout fails at once until a probe answers, then trusts only from then on', async () => {
    let thawed = false;
    const guard = new RedisGuard('test', 250, () => (thawed ? Promise.resolve('PONG') : never()));
    const recovered = jest.fn();
    guard.onRecovered(recovered);
    const before = guard.healthySince;
    const first = guard.run(never);
    jest.advanceTimersByTime(250);
    await expect(first).rejects.toThrow(RedisUnavailableError);
    const call = jest.fn(() => Promise.resolve('PONG'));
    await expect(guard.run(call)).rejects.toThrow('Redis is not answering');
    expect(call).not.toHaveBeenCalled();

    jest.advanceTimersByTime(1000);
    expect(guard.healthy).toBe(false);
    thawed = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(guard.healthy).toBe(true);
    expect(recovered).toHaveBeenCalledTimes(1);
    expect(guard.healthySince).toBeGreaterThan(before);
    await expect(guard.run(call)).resolves.toBe('PONG');
  });

  it('once stopped (shutdown) refuses every call and announces no recovery', async () => {
    const guard = new RedisGuard('test', 250, () => Promise.resolve('PONG'));
    const recovered = jest.fn();
    guard.onRecovered(recovered);
    guard.stop();
    const call = jest.fn(() => Promise.resolve('PONG'));
    await expect(guard.run(call)).rejects.toThrow(RedisUnavailableError);
    expect(call).not.toHaveBeenCalled();
    // A client that reconnects while the app closes must not start replays through the guard.
    guard.lost();
    guard.recovered();
    await jest.advanceTimersByTimeAsync(1000);
    expect(recovered).not.toHaveBeenCalled();
    expect(guard.stats.probes).toBe(0);
  });

  it('a lost connection fails calls at once until the client is ready again', async () => {
    const guard = new RedisGuard('test', 250, never);
    guard.lost();
    await expect(guard.run(() => Promise.resolve(1))).rejects.toThrow(RedisUnavailableError);
    guard.recovered();
    await expect(guard.run(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it('one breaker for every user of the server: after ONE timeout nothing more is sent until a probe answers', async () => {
    let thawed = false;
    let probesSent = 0;
    const guard = new RedisGuard('test', 250, () => {
      probesSent += 1;
      return thawed ? Promise.resolve('PONG') : never();
    });
    // Three users (rate limiter, cache, key revocations) with their own clients, one server.
    const sent = { limiter: 0, cache: 0, keys: 0 };
    const user = (name: keyof typeof sent) => () =>
      guard.run(() => {
        sent[name] += 1;
        return thawed ? Promise.resolve(name) : never();
      });
    const first = user('limiter')();
    jest.advanceTimersByTime(250);
    await expect(first).rejects.toThrow(RedisUnavailableError);

    const refused = [];
    for (let i = 0; i < 50; i++) {
      for (const name of ['limiter', 'cache', 'keys'] as const) refused.push(user(name)());
    }
    await Promise.all(refused.map((p) => expect(p).rejects.toThrow('Redis is not answering')));
    await jest.advanceTimersByTimeAsync(2000); // probes keep failing meanwhile
    expect(sent).toEqual({ limiter: 1, cache: 0, keys: 0 });
    expect(guard.stats).toMatchObject({ sent: 1, timedOut: 1, refused: 150, trips: 1 });
    expect(guard.stats.probesFailed).toBeGreaterThan(0);

    thawed = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(guard.healthy).toBe(true);
    const probesWhenHealthy = probesSent;
    await expect(user('cache')()).resolves.toBe('cache');
    expect(sent.cache).toBe(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(probesSent).toBe(probesWhenHealthy);
  });

  it('a lost connection also probes, so a client that never says ready again does not keep the breaker open', async () => {
    let up = false;
    const guard = new RedisGuard('test', 250, () =>
      up ? Promise.resolve('PONG') : Promise.reject(new Error('down')),
    );
    guard.lost();
    await jest.advanceTimersByTimeAsync(1000);
    expect(guard.healthy).toBe(false);
    up = true;
    await jest.advanceTimersByTimeAsync(500);
    expect(guard.healthy).toBe(true);
    expect(guard.stats.trips).toBe(0);
  });
});
