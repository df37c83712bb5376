import { ConfigValidationError, loadAppConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadAppConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadAppConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.embeddedDir).toBe('./.data/postgres');
    expect(config.redis.url).toBeUndefined();
    expect(config.rateLimitPerMinute).toBe(600);
    expect(config.http.corsOrigins).toEqual([]);
    expect(config.http.trustProxy).toBe(false);
    expect(config.http.shutdownTimeoutMs).toBe(10_000);
  });

  it('generates a strong JWT secret outside production and says so', () => {
    const config = loadAppConfig({});
    expect(config.jwt.secretGenerated).toBe(true);
    expect(config.jwt.secret.length).toBeGreaterThanOrEqual(43);
    expect(loadAppConfig({}).jwt.secret).not.toBe(config.jwt.secret);
  });

  it('names the variable and what it expects for a malformed value', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual([
      'PORT="abc" is invalid: it must be an integer from 0 to 65535',
    ]);
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT="70000" is invalid/);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })[0]).toMatch(
      /^DATABASE_URL=.* must be a URL starting with postgres:/,
    );
    expect(problemsOf({ REDIS_URL: 'not a url' })[0]).toMatch(
      /^REDIS_URL=.* must be a URL starting with redis:/,
    );
    expect(problemsOf({ NODE_ENV: 'staging' })[0]).toMatch(
      /NODE_ENV.*one of development, test, production/,
    );
    expect(problemsOf({ SHUTDOWN_TIMEOUT: '10 seconds' })[0]).toMatch(/SHUTDOWN_TIMEOUT.*duration/);
  });

  it('reports every problem at once, one line each, with the message prefixed', () => {
    try {
      loadAppConfig({ PORT: 'abc', RATE_LIMIT_PER_MINUTE: '0' });
      throw new Error('expected a ConfigValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect((error as Error).message.split('\n')).toEqual([
        'Configuration error: PORT="abc" is invalid: it must be an integer from 0 to 65535',
        'Configuration error: RATE_LIMIT_PER_MINUTE="0" is invalid: it must be an integer from 1 to 1000000',
      ]);
    }
  });

  it('refuses production without the secrets development generates', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^DATABASE_URL is required when NODE_ENV=production/);
    expect(problems[1]).toMatch(/^JWT_SECRET is required when NODE_ENV=production/);
  });

  it('never echoes a secret value, even a rejected one', () => {
    const problems = problemsOf({ JWT_SECRET: 'short-secret-value' });
    expect(problems).toEqual(['JWT_SECRET is invalid: it must be at least 32 characters long']);
    expect(problems.join()).not.toContain('short-secret-value');
  });

  it('parses lists, durations and trust proxy settings', () => {
    const config = loadAppConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example',
      SHUTDOWN_TIMEOUT: '1500ms',
      TRUST_PROXY: '2',
      DATABASE_URL: 'postgres://u@h:5432/db',
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.http.shutdownTimeoutMs).toBe(1500);
    expect(config.http.trustProxy).toBe(2);
    expect(config.jwt).toEqual({ secret: 'x'.repeat(32), secretGenerated: false });
    expect(loadAppConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).http.trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
  });

  it('S-13 TRUST_PROXY takes only hop counts or subnets: true and non-addresses are refused', () => {
    expect(() => loadAppConfig({ TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY is invalid: true would trust any X-Forwarded-For/,
    );
    expect(() => loadAppConfig({ TRUST_PROXY: 'loopback, proxy.example' })).toThrow(
      /"proxy\.example" is neither an IP address nor a subnet/,
    );
    expect(() => loadAppConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY is invalid/);
    expect(loadAppConfig({ TRUST_PROXY: '::1, fd00::/8, 192.168.1.10' }).http.trustProxy).toBe(
      '::1, fd00::/8, 192.168.1.10',
    );
  });
});
