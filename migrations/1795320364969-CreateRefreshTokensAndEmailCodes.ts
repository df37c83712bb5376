import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefreshTokensAndEmailCodes1795320364969 implements MigrationInterface {
  name = 'CreateRefreshTokensAndEmailCodes1795320364969';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // One row per refresh token ever issued; a family is one login and every rotation after it.
    await queryRunner.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL CONSTRAINT refresh_tokens_user_fk REFERENCES users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz NULL,
        revoked_at timestamptz NULL,
        revoke_reason varchar(32) NULL
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash)`,
    );
    await queryRunner.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await queryRunner.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)`);

    // At most one live code per user and purpose; using or burning a code deletes its row.
    await queryRunner.query(`
      CREATE TABLE email_codes (
        user_id uuid NOT NULL CONSTRAINT email_codes_user_fk REFERENCES users (id) ON DELETE CASCADE,
        purpose varchar(16) NOT NULL CONSTRAINT email_codes_purpose_check CHECK (purpose IN ('verify_email', 'reset_password')),
        code_hash char(64) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT email_codes_pkey PRIMARY KEY (user_id, purpose)
      )`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE email_codes`);
    await queryRunner.query(`DROP TABLE refresh_tokens`);
  }
}
