import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reserving a hold in one round trip (a chat starts with one, so it is on the time to first
 * token). The same steps as a deduction, in the same lock order: lock the account row, then sum
 * the active holds in a statement of its own (a VOLATILE function takes a fresh snapshot per
 * statement, so the sum sees every hold committed under the lock we now hold), then insert the
 * hold only if it fits. The caller maps the outcome to its error; nothing is written otherwise.
 */
export class CreditReserveHoldFunction1795330000000 implements MigrationInterface {
  name = 'CreditReserveHoldFunction1795330000000';

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
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP FUNCTION credit_reserve_hold(uuid, varchar, numeric, varchar, jsonb, timestamptz, timestamptz)`,
    );
  }
}
