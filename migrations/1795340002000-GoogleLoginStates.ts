import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Google logins in flight (issue 13 item 3, S-12, S-20): the OAuth state lives in PostgreSQL
 * (single use, so a Google login works while Redis is down), stored as its SHA-256, with the
 * client IP that started it (at most GOOGLE_LOGIN_PENDING_PER_IP live ones per IP) and a hash of
 * the starting browser's cookie, which also binds the third party's pending claim to that browser.
 */
export class GoogleLoginStates1795340002000 implements MigrationInterface {
  name = 'GoogleLoginStates1795340002000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE google_login_states (
        state_hash char(64) PRIMARY KEY,
        third_party_session_id varchar(128) NULL,
        return_to varchar(16) NOT NULL,
        browser_hash char(64) NOT NULL,
        ip inet NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX google_login_states_ip_idx ON google_login_states (ip, expires_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX google_login_states_expires_idx ON google_login_states (expires_at)`,
    );
    await queryRunner.query(`ALTER TABLE session_claims ADD COLUMN browser_hash char(64) NULL`);
    await queryRunner.query(
      `CREATE INDEX session_claims_expires_idx ON session_claims (expires_at)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX session_claims_expires_idx`);
    await queryRunner.query(`ALTER TABLE session_claims DROP COLUMN browser_hash`);
    await queryRunner.query(`DROP TABLE google_login_states`);
  }
}
