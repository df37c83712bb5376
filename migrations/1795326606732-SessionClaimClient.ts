import { MigrationInterface, QueryRunner } from 'typeorm';

/** The service (integration key name) that polls a pending login, so the success page can name it. */
export class SessionClaimClient1795326606732 implements MigrationInterface {
  name = 'SessionClaimClient1795326606732';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE session_claims ADD COLUMN client_name varchar(64) NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE session_claims DROP COLUMN client_name`);
  }
}
