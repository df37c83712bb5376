import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres';
import { DEFAULT_ADMIN_DATABASE_URL, DEFAULT_REDIS_URL } from './test-environment';

declare global {
  var embeddedTestServer: EmbeddedPostgresServer | undefined;
}

/** As root the embedded server runs as `postgres`, which must be able to enter the folder. */
function reachableTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sah-test-pg-'));
  chmodSync(dir, 0o755);
  return dir;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Finds PostgreSQL and Redis for this run. Without a reachable PostgreSQL the embedded one is
 * started; without Redis its suites are skipped. Under CI=true both must be there.
 */
export default async function globalSetup(): Promise<void> {
  const ci = process.env.CI === 'true';
  const adminUrl = process.env.DATABASE_URL ?? DEFAULT_ADMIN_DATABASE_URL;
  if (await postgresAnswers(adminUrl)) {
    process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  } else if (ci) {
    throw new Error(`CI=true but PostgreSQL does not answer at ${adminUrl}`);
  } else {
    const server = await EmbeddedPostgresServer.start({
      dir: join(reachableTempDir(), 'data'),
      port: 54000 + Math.floor(Math.random() * 1000),
      logger: pino({ level: 'warn' }),
    });
    globalThis.embeddedTestServer = server;
    process.env.TEST_ADMIN_DATABASE_URL = server.url.replace(/\/[^/]+$/, '/postgres');
  }

  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const redisUp = await redisAnswers(redisUrl);
  if (!redisUp && ci) throw new Error(`CI=true but Redis does not answer at ${redisUrl}`);
  process.env.TEST_REDIS_AVAILABLE = redisUp ? '1' : '0';
}
