import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credit ledger: one account per user with an exact balance, an append-only transaction log
 * whose amounts always sum to the balance, holds, idempotency keys, integration keys and promo
 * codes. Column names are part of the operators' interface: they query these tables directly.
 */
export class CreateCredits1795321585061 implements MigrationInterface {
  name = 'CreateCredits1795321585061';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE credit_accounts (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE RESTRICT,
        balance numeric(20,4) NOT NULL DEFAULT 0 CONSTRAINT credit_accounts_balance_check CHECK (balance >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE credit_transactions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        type varchar(16) NOT NULL
          CONSTRAINT credit_transactions_type_check
          CHECK (type IN ('signup', 'topup', 'deduct', 'refund', 'promo', 'adjustment', 'chat')),
        service varchar(100) NULL,
        amount numeric(20,4) NOT NULL,
        balance_before numeric(20,4) NOT NULL,
        balance_after numeric(20,4) NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        idempotency_key varchar(255) NULL,
        refunds_transaction_id uuid NULL REFERENCES credit_transactions(id) ON DELETE RESTRICT,
        actor varchar(160) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credit_transactions_arithmetic_check CHECK (balance_after = balance_before + amount),
        CONSTRAINT credit_transactions_balance_check CHECK (balance_after >= 0),
        CONSTRAINT credit_transactions_amount_check CHECK (amount <> 0 OR type = 'signup'),
        CONSTRAINT credit_transactions_metadata_check CHECK (jsonb_typeof(metadata) = 'object')
      )`);
    await queryRunner.query(
      `CREATE INDEX credit_transactions_user_created_idx ON credit_transactions (user_id, created_at, id)`,
    );
    await queryRunner.query(
      `CREATE INDEX credit_transactions_refunds_idx ON credit_transactions (refunds_transaction_id) WHERE refunds_transaction_id IS NOT NULL`,
    );
    // Append-only: corrections are new rows (refund, adjustment), never edits.
    await queryRunner.query(`
      CREATE FUNCTION credit_transactions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'credit_transactions is append-only (% refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER credit_transactions_append_only
        BEFORE UPDATE OR DELETE ON credit_transactions
        FOR EACH ROW EXECUTE FUNCTION credit_transactions_append_only()`);

    await queryRunner.query(`
      CREATE TABLE credit_holds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        service varchar(100) NOT NULL,
        amount numeric(20,4) NOT NULL CONSTRAINT credit_holds_amount_check CHECK (amount > 0),
        status varchar(16) NOT NULL DEFAULT 'active'
          CONSTRAINT credit_holds_status_check
          CHECK (status IN ('active', 'captured', 'released', 'expired')),
        captured_amount numeric(20,4) NULL,
        transaction_id uuid NULL REFERENCES credit_transactions(id) ON DELETE RESTRICT,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        actor varchar(160) NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX credit_holds_active_idx ON credit_holds (user_id, expires_at) WHERE status = 'active'`,
    );

    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope varchar(160) NOT NULL,
        key varchar(255) NOT NULL,
        fingerprint char(64) NOT NULL,
        status_code smallint NULL,
        response jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX idempotency_keys_scope_key_key ON idempotency_keys (scope, key)`,
    );
    await queryRunner.query(
      `CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`,
    );

    await queryRunner.query(`
      CREATE TABLE integration_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(64) NOT NULL,
        prefix varchar(16) NOT NULL,
        key_hash char(64) NOT NULL,
        scopes text[] NOT NULL,
        source varchar(8) NOT NULL DEFAULT 'admin'
          CONSTRAINT integration_keys_source_check CHECK (source IN ('env', 'admin')),
        created_by uuid NULL REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NULL,
        revoked_at timestamptz NULL,
        CONSTRAINT integration_keys_scopes_check CHECK (
          scopes <@ ARRAY['credits:check', 'credits:deduct', 'credits:refund', 'sessions:claim']::text[]
        )
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX integration_keys_key_hash_key ON integration_keys (key_hash)`,
    );

    await queryRunner.query(`
      CREATE TABLE promo_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(64) NOT NULL,
        amount numeric(20,4) NOT NULL CONSTRAINT promo_codes_amount_check CHECK (amount > 0),
        max_redemptions integer NOT NULL CONSTRAINT promo_codes_max_redemptions_check CHECK (max_redemptions > 0),
        redemption_count integer NOT NULL DEFAULT 0,
        expires_at timestamptz NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid NULL REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT promo_codes_redemption_count_check
          CHECK (redemption_count >= 0 AND redemption_count <= max_redemptions)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX promo_codes_code_key ON promo_codes (code)`);
    await queryRunner.query(`
      CREATE TABLE promo_redemptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        promo_code_id uuid NOT NULL REFERENCES promo_codes(id) ON DELETE RESTRICT,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        transaction_id uuid NOT NULL REFERENCES credit_transactions(id) ON DELETE RESTRICT,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX promo_redemptions_code_user_key ON promo_redemptions (promo_code_id, user_id)`,
    );

    // Users created before this migration get an empty account (no ledger rows: sum 0 = balance 0).
    await queryRunner.query(`INSERT INTO credit_accounts (user_id) SELECT id FROM users`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE promo_redemptions`);
    await queryRunner.query(`DROP TABLE promo_codes`);
    await queryRunner.query(`DROP TABLE integration_keys`);
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE credit_holds`);
    await queryRunner.query(`DROP TABLE credit_transactions`);
    await queryRunner.query(`DROP FUNCTION credit_transactions_append_only()`);
    await queryRunner.query(`DROP TABLE credit_accounts`);
  }
}
