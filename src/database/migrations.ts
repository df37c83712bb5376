import type { DataSource, Migration } from 'typeorm';

// Arbitrary constant shared by every instance of this server: "migrations are running".
const MIGRATION_LOCK_ID = 4_720_260_001;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so two instances starting
 * together run them once: the second waits, then finds nothing left to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    await runner.release();
  }
}
