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

  it('a lost connection fails calls at once until the client is ready again', async () => {
    const guard = new RedisGuard('test', 250, never);
    guard.lost();
    await expect(guard.run(() => Promise.resolve(1))).rejects.toThrow(RedisUnavailableError);
    guard.recovered();
    await expect(guard.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
