import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change of a credit account moves its `version` (a per-account counter), and the money
 * core's outcomes carry it, so whoever announces balances can tell the newer of two states:
 * answers of statements on different connections may come back in another order than they
 * committed (the live balance pushed last must be the account's latest).
 *
 * Replaces the two functions that update `credit_accounts` and the one that reads it for an
 * announcement; `withVersion = false` is their CreditCore text (for `down`).
 */
function releaseExpired(withVersion: boolean): string {
  return `
      CREATE OR REPLACE FUNCTION credit_release_expired(p_user uuid, p_now timestamptz)
      RETURNS void
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_released numeric;
      BEGIN
        WITH gone AS (
          UPDATE credit_holds SET status = 'expired', settled_at = p_now
           WHERE user_id = p_user AND status = 'active' AND expires_at <= p_now
          RETURNING amount)
        SELECT coalesce(sum(amount), 0) INTO v_released FROM gone;
        UPDATE credit_accounts
           SET held = held - v_released,
               holds_expire_at = (SELECT min(h.expires_at) FROM credit_holds h
                                   WHERE h.user_id = p_user AND h.status = 'active'),
               updated_at = p_now${withVersion ? ',\n               version = version + 1' : ''}
         WHERE user_id = p_user;
      END $$`;
}

// Rules as in CreditCore: spend only what is available, a disabled account moves nothing,
// expired holds never block. Now also: each move is the account's next version.
function accountMove(withVersion: boolean): string {
  return `
      CREATE OR REPLACE FUNCTION credit_account_move(p_user uuid, p_balance numeric,
        p_held numeric, p_need numeric, p_hold_expires timestamptz, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_row credit_accounts;
        v_kind text;
      BEGIN
        FOR attempt IN 1..2 LOOP
          UPDATE credit_accounts a
             SET balance = a.balance + p_balance, held = a.held + p_held,
                 holds_expire_at = CASE WHEN a.held + p_held = 0 THEN NULL
                                        ELSE least(a.holds_expire_at, p_hold_expires) END,
                 updated_at = p_now${withVersion ? ', version = a.version + 1' : ''}
            FROM users u
           WHERE a.user_id = p_user AND u.id = a.user_id AND u.status = 'active'
             AND a.available >= p_need
             AND (a.holds_expire_at IS NULL OR a.holds_expire_at > p_now)
          RETURNING a.* INTO v_row;
          IF FOUND THEN
            RETURN jsonb_build_object('kind', 'ok', 'balance', v_row.balance::text,
                                      'held', v_row.held::text, 'available', v_row.available::text${withVersion ? ",\n                                      'version', v_row.version" : ''});
          END IF;
          v_kind := credit_lock_account(p_user, p_now);
          IF v_kind <> 'ok' THEN RETURN jsonb_build_object('kind', v_kind); END IF;
          SELECT * INTO v_row FROM credit_accounts WHERE user_id = p_user;
          IF v_row.available < p_need THEN
            RETURN jsonb_build_object('kind', 'insufficient', 'available', v_row.available::text);
          END IF;
        END LOOP;
        RAISE EXCEPTION 'credit_account_move: account % did not move', p_user;
      END $$`;
}

// Rule as in CreditCore: what an account can spend now; now with its version.
function accountState(withVersion: boolean): string {
  return `
      CREATE OR REPLACE FUNCTION credit_account_state(p_user uuid, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_status text;
        v_row credit_accounts;
      BEGIN
        SELECT status INTO v_status FROM users WHERE id = p_user;
        IF NOT FOUND THEN RETURN jsonb_build_object('kind', 'unknown_user'); END IF;
        SELECT * INTO v_row FROM credit_accounts WHERE user_id = p_user;
        IF FOUND AND v_row.holds_expire_at <= p_now AND v_status = 'active' THEN
          PERFORM credit_lock_account(p_user, p_now);
          SELECT * INTO v_row FROM credit_accounts WHERE user_id = p_user;
        END IF;
        RETURN jsonb_build_object('kind', 'ok', 'status', v_status,
          'balance', coalesce(v_row.balance, 0)::text, 'held', coalesce(v_row.held, 0)::text,
          'available', coalesce(v_row.available, 0)::text${withVersion ? ",\n          'version', coalesce(v_row.version, 0)" : ''});
      END $$`;
}

export class CreditAccountVersion1795340002000 implements MigrationInterface {
  name = 'CreditAccountVersion1795340002000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE credit_accounts ADD COLUMN version bigint NOT NULL DEFAULT 0`,
    );
    for (const sql of [releaseExpired(true), accountMove(true), accountState(true)]) {
      await queryRunner.query(sql);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [releaseExpired(false), accountMove(false), accountState(false)]) {
      await queryRunner.query(sql);
    }
    await queryRunner.query(`ALTER TABLE credit_accounts DROP COLUMN version`);
  }
}
