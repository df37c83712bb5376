import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditLog1795320900000 implements MigrationInterface {
  name = 'CreateAuditLog1795320900000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        actor_id uuid NULL,
        actor_type varchar(16) NOT NULL,
        action varchar(64) NOT NULL,
        target_type varchar(32) NOT NULL,
        target_id varchar(128) NULL,
        before jsonb NULL,
        after jsonb NULL,
        request_id varchar(128) NULL,
        ip varchar(64) NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX audit_log_action_idx ON audit_log (action, created_at DESC)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_log`);
  }
}
