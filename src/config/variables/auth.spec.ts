import { loadAppConfig } from '../app-config';

/** The one-line-per-problem message loadAppConfig throws. */
const rejects = (env: Record<string, string>) => () => loadAppConfig(env);

describe('auth configuration', () => {
  it('has safe defaults: 15 min access tokens, 30 day refresh tokens, Google off', () => {
    const { auth } = loadAppConfig({});
    expect(auth.accessTokenTtlSeconds).toBe(900);
    expect(auth.refreshTokenTtlSeconds).toBe(30 * 86_400);
    expect(auth.admin).toBeUndefined();
    expect(auth.google.missing).toEqual([
      'GOOGLE_CLIENT_ID',
      'GOOGLE_CLIENT_SECRET',
      'GOOGLE_CALLBACK_URL',
    ]);
    expect(auth.google.authorizationUrl).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(auth.rateLimits).toEqual({
      perIp: 30,
      perEmail: 5,
      windowMs: 900_000,
      loginBackoffMs: 30_000,
      loginBackoffMaxMs: 900_000,
    });
  });

  it('wants ADMIN_EMAIL and ADMIN_PASSWORD together, and a real email', () => {
    expect(rejects({ ADMIN_EMAIL: 'a@example.com' })).toThrow(
      /^Configuration error: ADMIN_EMAIL and ADMIN_PASSWORD must be set together \(or neither\)$/,
    );
    expect(rejects({ ADMIN_EMAIL: 'nobody', ADMIN_PASSWORD: 'x' })).toThrow(
      'Configuration error: ADMIN_EMAIL="nobody" is invalid: it must be an email address',
    );
    const config = loadAppConfig({ ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'pw pw pw 1' });
    expect(config.auth.admin).toEqual({ email: 'root@example.com', password: 'pw pw pw 1' });
  });

  it('holds ADMIN_PASSWORD to the sign-up password rules (ADMIN_PASSWORD=admin was accepted)', () => {
    expect(rejects({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin' })).toThrow(
      'Configuration error: ADMIN_PASSWORD is invalid: it must be at least 8 characters long (the sign-up password rules)',
    );
    expect(rejects({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'administrator' })).toThrow(
      /ADMIN_PASSWORD is invalid: it must contain a letter and a digit or symbol/,
    );
    expect(
      rejects({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'administrator' }),
    ).not.toThrow(/administrator/);
  });

  it('never echoes secret values in a problem', () => {
    expect(rejects({ SMTP_URL: 'http://user:hunter2@mail' })).toThrow(
      /^Configuration error: SMTP_URL=\(secret hidden\) is invalid: it must be a URL starting with smtp/,
    );
    expect(rejects({ SMTP_URL: 'http://user:hunter2@mail' })).not.toThrow(/hunter2/);
  });
});
