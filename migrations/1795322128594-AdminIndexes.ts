import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes behind the Admin API. Users: trigram GIN indexes on lower(email) and lower(name), so
 * `search` (a case-insensitive substring match) is index-backed at any size, and (created_at, id)
 * for the keyset-paginated list. Ledger: (created_at, id) covering user_id, type, service and
 * amount, so usage analytics over a date range and the global transaction list read the index
 * only; (service, created_at, id) for the transaction list filtered by service. Promo codes:
 * (created_at, id) for their list.
 */
export class AdminIndexes1795322128594 implements MigrationInterface {
  name = 'AdminIndexes1795322128594';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // pg_trgm is a trusted extension (PostgreSQL ≥ 13): a database owner may create it.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX users_email_trgm_idx ON users USING gin (lower(email) gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX users_name_trgm_idx ON users USING gin (lower(name) gin_trgm_ops)`,
    );
    await queryRunner.query(`CREATE INDEX users_created_idx ON users (created_at, id)`);
    await queryRunner.query(
      `CREATE INDEX credit_transactions_created_idx ON credit_transactions (created_at, id)
         INCLUDE (user_id, type, service, amount)`,
    );
    await queryRunner.query(
      `CREATE INDEX credit_transactions_service_created_idx
         ON credit_transactions (service, created_at, id)`,
    );
    await queryRunner.query(`CREATE INDEX promo_codes_created_idx ON promo_codes (created_at, id)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX promo_codes_created_idx`);
    await queryRunner.query(`DROP INDEX credit_transactions_service_created_idx`);
    await queryRunner.query(`DROP INDEX credit_transactions_created_idx`);
    await queryRunner.query(`DROP INDEX users_created_idx`);
    await queryRunner.query(`DROP INDEX users_name_trgm_idx`);
    await queryRunner.query(`DROP INDEX users_email_trgm_idx`);
    // The extension stays: other objects may have come to depend on it.
  }
}
