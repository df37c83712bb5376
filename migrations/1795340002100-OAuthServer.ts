import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The OAuth server (issue 19 parts 2–4) stores oidc-provider's models in `oauth_payloads`
 * (created with the spending grants). Revoking an app for a user, and deleting a client, remove
 * that user's/client's grants, codes and tokens by the payload's accountId/clientId: indexed here.
 */
export class OAuthServer1795340002100 implements MigrationInterface {
  name = 'OAuthServer1795340002100';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX oauth_payloads_client_account_idx
         ON oauth_payloads ((payload->>'clientId'), (payload->>'accountId'))
         WHERE model <> 'Client'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX oauth_payloads_client_account_idx`);
  }
}
