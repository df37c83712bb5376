import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A per-user "tokens valid after" instant: an access token issued before it is refused (set by a
 * password reset). The login check reads refresh_tokens by family id (refresh_tokens_family_idx).
 */
export class UserTokensValidAfter1795340000016 implements MigrationInterface {
  name = 'UserTokensValidAfter1795340000016';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users DROP COLUMN tokens_valid_after`);
  }
}
