import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hold steps a chat takes, each in one round trip (both are on a chat's path: the reserve
 * before the first token, the capture before `chat:end`), in the lock order of every other path:
 * account, then hold.
 * - `credit_reserve_hold`: lock the account row, then sum the active holds in a statement of its
 *   own (a VOLATILE function takes a fresh snapshot per statement, so the sum sees every hold
 *   committed under the lock we now hold), then insert the hold only if it fits.
 * - `credit_ledger_append`: the one place that moves a balance and writes its ledger row (the
 *   account row must already be locked by the caller's transaction); the application's appends
 *   and `credit_capture_hold` both call it.
 * - `credit_capture_hold`: capture (or, for 0, release) an active, unexpired hold.
 * Each returns an outcome the caller maps to its error; nothing is written on a refusal.
 */
export class CreditHoldFunctions1795330000000 implements MigrationInterface {
  name = 'CreditHoldFunctions1795330000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION credit_reserve_hold(
        p_user_id uuid, p_service varchar, p_amount numeric, p_actor varchar, p_metadata jsonb,
        p_expires_at timestamptz, p_now timestamptz)
      RETURNS TABLE (outcome text, available numeric, hold_id uuid)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_balance numeric;
        v_user_status text;
        v_held numeric;
        v_hold_id uuid;
      BEGIN
        SELECT a.balance, u.status INTO v_balance, v_user_status
          FROM credit_accounts a JOIN users u ON u.id = a.user_id
         WHERE a.user_id = p_user_id
           FOR UPDATE OF a;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'no_account'::text, NULL::numeric, NULL::uuid;
          RETURN;
        END IF;
        SELECT coalesce(sum(h.amount), 0) INTO v_held
          FROM credit_holds h
         WHERE h.user_id = p_user_id AND h.status = 'active' AND h.expires_at > p_now;
        IF v_user_status <> 'active' THEN
          RETURN QUERY SELECT 'disabled'::text, NULL::numeric, NULL::uuid;
        ELSIF v_balance - v_held < p_amount THEN
          RETURN QUERY SELECT 'insufficient'::text, v_balance - v_held, NULL::uuid;
        ELSE
          INSERT INTO credit_holds (user_id, service, amount, actor, metadata, expires_at, created_at)
          VALUES (p_user_id, p_service, p_amount, p_actor, p_metadata, p_expires_at, p_now)
          RETURNING id INTO v_hold_id;
          RETURN QUERY SELECT 'reserved'::text, v_balance - v_held - p_amount, v_hold_id;
        END IF;
      END $$`);

    await queryRunner.query(`
      CREATE FUNCTION credit_ledger_append(
        p_user_id uuid, p_type varchar, p_service varchar, p_amount numeric, p_metadata jsonb,
        p_idempotency_key varchar, p_refunds_transaction_id uuid, p_actor varchar, p_at timestamptz)
      RETURNS credit_transactions
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_balance numeric;
        v_row credit_transactions;
      BEGIN
        UPDATE credit_accounts SET balance = balance + p_amount, updated_at = p_at
         WHERE user_id = p_user_id
        RETURNING balance INTO v_balance;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'No credit account for %', p_user_id;
        END IF;
        INSERT INTO credit_transactions (user_id, type, service, amount, balance_before,
          balance_after, metadata, idempotency_key, refunds_transaction_id, actor, created_at)
        VALUES (p_user_id, p_type, p_service, p_amount, v_balance - p_amount, v_balance, p_metadata,
          p_idempotency_key, p_refunds_transaction_id, p_actor, p_at)
        RETURNING * INTO v_row;
        RETURN v_row;
      END $$`);

    await queryRunner.query(`
      CREATE FUNCTION credit_capture_hold(
        p_hold_id uuid, p_amount numeric, p_type varchar, p_metadata jsonb,
        p_idempotency_key varchar, p_owner_user_id uuid, p_owner_actor varchar, p_now timestamptz)
      RETURNS TABLE (outcome text, hold_status text, hold_amount numeric, balance numeric,
                     held numeric, transaction_id uuid)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_user_id uuid;
        v_actor varchar;
        v_balance numeric;
        v_held numeric;
        v_hold credit_holds;
        v_entry credit_transactions;
      BEGIN
        SELECT h.user_id, h.actor INTO v_user_id, v_actor FROM credit_holds h WHERE h.id = p_hold_id;
        IF NOT FOUND OR (p_owner_user_id IS NOT NULL
                         AND (v_user_id <> p_owner_user_id OR v_actor <> p_owner_actor)) THEN
          RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::numeric, NULL::numeric,
                              NULL::numeric, NULL::uuid;
          RETURN;
        END IF;
        SELECT a.balance INTO v_balance FROM credit_accounts a WHERE a.user_id = v_user_id FOR UPDATE;
        SELECT coalesce(sum(h.amount), 0) INTO v_held FROM credit_holds h
         WHERE h.user_id = v_user_id AND h.status = 'active' AND h.expires_at > p_now;
        SELECT * INTO v_hold FROM credit_holds h WHERE h.id = p_hold_id FOR UPDATE;
        IF v_hold.status <> 'active' THEN
          RETURN QUERY SELECT 'not_active'::text, v_hold.status::text, v_hold.amount, v_balance,
                              v_held, NULL::uuid;
          RETURN;
        END IF;
        IF v_hold.expires_at <= p_now THEN
          RETURN QUERY SELECT 'expired'::text, v_hold.status::text, v_hold.amount, v_balance,
                              v_held, NULL::uuid;
          RETURN;
        END IF;
        IF p_amount > v_hold.amount THEN
          RETURN QUERY SELECT 'exceeds'::text, v_hold.status::text, v_hold.amount, v_balance,
                              v_held, NULL::uuid;
          RETURN;
        END IF;
        IF p_amount > 0 THEN
          v_entry := credit_ledger_append(v_user_id, p_type, v_hold.service, -p_amount,
            p_metadata || jsonb_build_object('hold_id', v_hold.id), p_idempotency_key, NULL,
            v_hold.actor, p_now);
          v_balance := v_entry.balance_after;
        END IF;
        UPDATE credit_holds
           SET status = CASE WHEN p_amount > 0 THEN 'captured' ELSE 'released' END,
               captured_amount = p_amount, transaction_id = v_entry.id, settled_at = p_now
         WHERE id = p_hold_id;
        RETURN QUERY SELECT CASE WHEN p_amount > 0 THEN 'captured' ELSE 'released' END::text,
                            v_hold.status::text, v_hold.amount, v_balance, v_held, v_entry.id;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION credit_capture_hold(uuid, numeric, varchar, jsonb, varchar, uuid, varchar, timestamptz)`,
    );
    await queryRunner.query(
      `DROP FUNCTION credit_ledger_append(uuid, varchar, varchar, numeric, jsonb, varchar, uuid, varchar, timestamptz)`,
    );
    await queryRunner.query(
      `DROP FUNCTION credit_reserve_hold(uuid, varchar, numeric, varchar, jsonb, timestamptz, timestamptz)`,
    );
  }
}
