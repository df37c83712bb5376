import { MigrationInterface, QueryRunner } from 'typeorm';

/** The admin console's audit trail of one user (or key, promo code…): filtered by target id. */
export class AuditLogTargetIndex1795340000018 implements MigrationInterface {
  name = 'AuditLogTargetIndex1795340000018';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX audit_log_target_idx ON audit_log (target_id, created_at DESC, id DESC)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX audit_log_target_idx`);
  }
}
