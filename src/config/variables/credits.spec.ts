import { ConfigValidationError, loadAppConfig } from '../app-config';

describe('credits configuration', () => {
  it('has safe defaults', () => {
    const config = loadAppConfig({});
    expect(config.credits).toEqual({
      signupBonus: '0',
      signupBonusAtRegistration: true,
      maxAmount: '1000000',
      holdDefaultTtlMs: 600_000,
      holdMaxTtlMs: 86_400_000,
      idempotencyTtlMs: 86_400_000,
      idempotencyWaitMs: 10_000,
      integrationKeys: [],
      integrationRateLimitPerMinute: 6000,
      batchConcurrency: 4,
      batchMax: 32,
      batchOverlapAfterMs: 20,
    });
  });

  it('parses INTEGRATION_API_KEYS name:key pairs', () => {
    const key = 'k'.repeat(40);
    const config = loadAppConfig({ INTEGRATION_API_KEYS: `sora2:${key}, other:${key}x` });
    expect(config.credits.integrationKeys).toEqual([
      { name: 'sora2', key, userScope: 'all' },
      { name: 'other', key: `${key}x`, userScope: 'all' },
    ]);
    const marked = loadAppConfig({ INTEGRATION_API_KEYS: `partner:${key}:granted` });
    expect(marked.credits.integrationKeys).toEqual([
      { name: 'partner', key, userScope: 'granted' },
    ]);
  });

  it.each([
    [{ SIGNUP_BONUS_CREDITS: '1.00001' }, 'SIGNUP_BONUS_CREDITS'],
    [{ SIGNUP_BONUS_CREDITS: '-5' }, 'SIGNUP_BONUS_CREDITS'],
    [{ CREDIT_MAX_AMOUNT: '0' }, 'CREDIT_MAX_AMOUNT'],
    [{ IDEMPOTENCY_TTL: '1h' }, 'IDEMPOTENCY_TTL'],
    [{ CREDIT_HOLD_DEFAULT_TTL: '2d' }, 'CREDIT_HOLD_DEFAULT_TTL'],
    [{ INTEGRATION_API_KEYS: 'sora2:short' }, 'INTEGRATION_API_KEYS'],
  ])('refuses %p naming %s, never echoing a key', (env, name) => {
    let error: unknown;
    try {
      loadAppConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('short');
  });
});
