import { MigrationInterface, QueryRunner } from 'typeorm';
import { creditApplySql } from './sql/credit-apply';

/**
 * A hold may carry limits on its kind of hold (its `service`) per user: how many may be active at
 * once, and how many may be taken per minute. The chat gateway's holds carry the chat limits
 * (MCP_MAX_CONCURRENT_STREAMS, MCP_MESSAGES_PER_MINUTE): a chat's hold is its stream slot, and
 * the limits are taken in the same statement as the hold, under the account's lock, so they are
 * exact across instances and cost no round trip of their own (issue 15).
 */
function reserve(withLimits: boolean): string {
  return `
      CREATE FUNCTION credit_reserve(p_user uuid, p_amount numeric, p_service text,
        p_metadata jsonb, p_actor text, p_expires_at timestamptz, p_now timestamptz${
          withLimits ? ',\n        p_limits jsonb' : ''
        }) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v jsonb;
        v_id uuid;
      BEGIN${
        withLimits
          ? `
        IF p_limits IS NOT NULL THEN
          v := credit_hold_limits(p_user, p_service, p_limits, p_now);
          IF v IS NOT NULL THEN RETURN v; END IF;
        END IF;`
          : ''
      }
        v := credit_account_move(p_user, 0, p_amount, p_amount, p_expires_at, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        INSERT INTO credit_holds (user_id, service, amount, actor, metadata, expires_at, created_at)
        VALUES (p_user, p_service, p_amount, p_actor, p_metadata, p_expires_at, p_now)
        RETURNING id INTO v_id;
        RETURN v || jsonb_build_object('hold_id', v_id, 'expires_at', p_expires_at);
      END $$`;
}

export class ChatLimitsInHolds1795340002200 implements MigrationInterface {
  name = 'ChatLimitsInHolds1795340002200';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);

    // The holds of one user and kind taken in the last minute.
    await q(
      `CREATE INDEX credit_holds_user_service_created_idx ON credit_holds (user_id, service, created_at)`,
    );

    // Rules: (1) at most p_limits.concurrent holds of this kind active per user; (2) at most
    // p_limits.per_minute of them taken in any minute (a sliding window). Checked with the
    // account row locked (expired holds released first), so parallel reserves of one user are
    // counted one after another. NULL: within the limits; else the refusal, with how many
    // seconds until the window has room again.
    await q(`
      CREATE FUNCTION credit_hold_limits(p_user uuid, p_service text, p_limits jsonb,
        p_now timestamptz) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_kind text;
        v_max integer;
        v_count integer;
        v_oldest timestamptz;
      BEGIN
        v_kind := credit_lock_account(p_user, p_now);
        -- An unknown user, a missing account or a disabled one: the move says which.
        IF v_kind <> 'ok' THEN RETURN NULL; END IF;
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
        RETURN NULL;
      END $$`);

    await q(
      `DROP FUNCTION credit_reserve(uuid, numeric, text, jsonb, text, timestamptz, timestamptz)`,
    );
    await q(reserve(true));
    await q(creditApplySql(true, true));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    await q(creditApplySql(true));
    await q(
      `DROP FUNCTION credit_reserve(uuid, numeric, text, jsonb, text, timestamptz, timestamptz, jsonb)`,
    );
    await q(reserve(false));
    await q(`DROP FUNCTION credit_hold_limits(uuid, text, jsonb, timestamptz)`);
    await q(`DROP INDEX credit_holds_user_service_created_idx`);
  }
}
