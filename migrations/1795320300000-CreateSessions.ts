import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessions1795320300000 implements MigrationInterface {
  name = 'CreateSessions1795320300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
        user_id uuid NOT NULL CONSTRAINT sessions_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        claimed_at timestamptz NULL,
        revoked_at timestamptz NULL,
        revoked_reason varchar(64) NULL,
        last_used_at timestamptz NULL,
        ip varchar(64) NULL,
        user_agent varchar(512) NULL,
        return_to varchar(32) NULL,
        third_party_session_id varchar(128) NULL,
        client_name varchar(64) NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX sessions_user_live_idx ON sessions (user_id, created_at) WHERE revoked_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE session_claims (
        third_party_session_id varchar(128) PRIMARY KEY,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        user_id uuid NULL CONSTRAINT session_claims_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
        completed_at timestamptz NULL,
        delivered_at timestamptz NULL,
        delivered_session_id uuid NULL CONSTRAINT session_claims_session_id_fkey REFERENCES sessions (id) ON DELETE SET NULL
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE session_claims`);
    await queryRunner.query(`DROP TABLE sessions`);
  }
}
