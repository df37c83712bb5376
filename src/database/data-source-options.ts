import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/**
 * The one description of the database connection, shared by the app, the migration CLI and the
 * tests so they can never drift apart. Schema changes come only from `migrations/`.
 */
export function buildDataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // A request waits at most 5 s for a pooled connection (PostgreSQL down or the pool
    // exhausted), then fails as "unavailable" (503 + Retry-After) instead of hanging.
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  };
}
