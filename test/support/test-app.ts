import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { Clock } from '../../src/common/time/clock';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { RawEnvironment } from '../../src/config/environment';
import type { CimdNetwork } from '../../src/oauth/cimd-network';
import { registerContractApp } from './contract';
import { TestDatabase } from './test-database';
import { sharedRedisUrl } from './test-environment';

export interface TestAppOptions {
  /** Environment on top of the test defaults; `REDIS_URL: ''` turns Redis off. */
  env?: RawEnvironment;
  /** Reuse a database (e.g. two instances of one deployment); else a fresh one is created. */
  database?: TestDatabase;
  /** A clock the test moves; the system clock when unset. */
  clock?: Clock;
  /** Where Client ID Metadata Documents may come from (`startCimdFixture`); the public internet when unset. */
  cimdNetwork?: CimdNetwork;
}

/** Every JSON log line the app wrote, for assertions about what is (never) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  database: TestDatabase;
  logs: LogCapture;
  /** Base URL of the listening app, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The app's HTTP server, for supertest. */
  server: ReturnType<NestExpressApplication['getHttpServer']>;
  close(): Promise<void>;
}

/**
 * The real application on a throwaway PostgreSQL database and (when reachable) the shared Redis
 * under a key prefix of its own, so test files can run in parallel without touching each other.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsDatabase = !options.database;
  const database = options.database ?? (await TestDatabase.create());
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: sharedRedisUrl() ?? '',
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    ...options.env,
  });
  const logs = new LogCapture();
  const app = await createApp(config, {
    logDestination: logs,
    clock: options.clock,
    cimdNetwork: options.cimdNetwork,
  });
  // PORT from `env` when a test must know its address up front (e.g. an OAuth callback URL).
  await app.listen(config.port, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  registerContractApp(app.getHttpServer(), app);
  return {
    app,
    config,
    database,
    logs,
    server: app.getHttpServer(),
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      if (ownsDatabase) await database.drop();
    },
  };
}
