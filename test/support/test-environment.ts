/**
 * What the test run found on this machine, decided once in global-setup and handed to the
 * workers through the environment.
 */
export const DEFAULT_ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function adminDatabaseUrl(): string {
  return (
    process.env.TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_ADMIN_DATABASE_URL
  );
}

export function sharedRedisUrl(): string | undefined {
  return process.env.TEST_REDIS_AVAILABLE === '1'
    ? (process.env.REDIS_URL ?? DEFAULT_REDIS_URL)
    : undefined;
}

/** `describe` when the shared Redis answers; reported as skipped otherwise (never under CI=true). */
export function describeWithRedis(name: string, suite: () => void): void {
  (process.env.TEST_REDIS_AVAILABLE === '1' ? describe : describe.skip)(name, suite);
}
