import { MigrationInterface, QueryRunner } from 'typeorm';
import { creditApplySql } from './sql/credit-apply';

/**
 * A hold may carry limits on its kind of hold (its `service`) per user: how many may be active at
 * once, and how many may be taken per minute. The chat gateway's holds carry the chat limits
 * (MCP_MAX_CONCURRENT_STREAMS, MCP_MESSAGES_PER_MINUTE): a chat's hold is its stream slot, and
 * the limits are taken in the same statement as the hold, under the account's lock, so they are
 * exact across instances and cost no round trip of their own (issue 15).
 */
export class ChatLimitsInHolds1795340002200 implements MigrationInterface {
  name = 'ChatLimitsInHolds1795340002200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);

    // The holds of one user and kind taken in the last minute.
    await q(
      `CREATE INDEX credit_holds_user_service_created_idx ON credit_holds (user_id, service, created_at)`,
    );

    // Rules: (1) at most p_limits.concurrent holds of this kind active per user; (2) at most
    // p_limits.per_minute of them taken in any minute (a sliding window); then the reserve's own
    // rules (credit_reserve). Counted with the account row locked (expired holds released first),
    // so parallel reserves of one user are counted one after another. A refusal says how many
    // seconds until the window has room again. An unknown user, a missing or disabled account:
    // credit_reserve says which.
    await q(`
      CREATE FUNCTION credit_reserve_limited(p_user uuid, p_amount numeric, p_service text,
        p_metadata jsonb, p_actor text, p_expires_at timestamptz, p_now timestamptz,
        p_limits jsonb) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_max integer;
        v_count integer;
        v_oldest timestamptz;
      BEGIN
        IF p_limits IS NOT NULL AND credit_lock_account(p_user, p_now) = 'ok' THEN
          v_max := (p_limits->>'concurrent')::integer;
          IF v_max IS NOT NULL THEN
            SELECT count(*) INTO v_count FROM credit_holds
             WHERE user_id = p_user AND status = 'active' AND service = p_service
               AND expires_at > p_now;
            IF v_count >= v_max THEN
              RETURN jsonb_build_object('kind', 'hold_limit', 'limit', 'concurrent', 'max', v_max);
            END IF;
          END IF;
          v_max := (p_limits->>'per_minute')::integer;
          IF v_max IS NOT NULL THEN
            SELECT count(*), min(created_at) INTO v_count, v_oldest FROM credit_holds
             WHERE user_id = p_user AND service = p_service
               AND created_at > p_now - interval '1 minute';
            IF v_count >= v_max THEN
              RETURN jsonb_build_object('kind', 'hold_limit', 'limit', 'per_minute', 'max', v_max,
                'retry_after_seconds',
                greatest(1, ceil(extract(epoch FROM v_oldest + interval '1 minute' - p_now)))::integer);
            END IF;
          END IF;
        END IF;
        RETURN credit_reserve(p_user, p_amount, p_service, p_metadata, p_actor, p_expires_at, p_now);
      END $$`);

    await q(creditApplySql(true, true));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(creditApplySql(true));
    await q(
      `DROP FUNCTION credit_reserve_limited(uuid, numeric, text, jsonb, text, timestamptz, timestamptz, jsonb)`,
    );
    await q(`DROP INDEX credit_holds_user_service_created_idx`);
  }
}
