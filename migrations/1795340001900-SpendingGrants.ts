import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spending grants (issue 19): what a user allows one app (an OAuth client, or an integration
 * key's integration) to spend, per day or month and optionally in total, until revoked or
 * expired. The money core enforces them: `credit_apply` runs an operation that carries a `grant`
 * through `grant_before` (lock the account, then the grant; refuse a revoked/expired grant or a
 * cap the operation would pass) and, when it succeeded, `grant_after` (count it). So a grant's
 * counters move in the same statement, under the same account lock, as the balance: spend per
 * grant and period is exact however many requests race.
 *
 * Lock order: account row → grant row (every grant operation takes the account first, so a batch
 * that locked the account for another operation never deadlocks with it).
 *
 * `oauth_payloads` keeps oidc-provider's models (clients, grants, codes, tokens, sessions,
 * interactions) for the PostgreSQL adapter. `integration_keys.user_scope`: `granted` keys act only
 * for users who granted them; keys that existed before stay `all`.
 */
export class SpendingGrants1795340001900 implements MigrationInterface {
  name = 'SpendingGrants1795340001900';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);

    await q(`ALTER TABLE integration_keys
               ADD COLUMN user_scope text NOT NULL DEFAULT 'all'
                 CONSTRAINT integration_keys_user_scope_check CHECK (user_scope IN ('granted', 'all'))`);
    await q(`ALTER TABLE integration_keys ALTER COLUMN user_scope SET DEFAULT 'granted'`);

    await q(`
      CREATE TABLE grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        client_type text NOT NULL CHECK (client_type IN ('oauth', 'integration')),
        client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 512),
        scopes text[] NOT NULL,
        period text NOT NULL CHECK (period IN ('day', 'month')),
        period_cap numeric(20,4) NULL CHECK (period_cap >= 0),
        total_cap numeric(20,4) NULL CHECK (total_cap >= 0),
        period_start timestamptz NOT NULL,
        period_spent numeric(20,4) NOT NULL DEFAULT 0 CHECK (period_spent >= 0),
        total_spent numeric(20,4) NOT NULL DEFAULT 0 CHECK (total_spent >= 0),
        held numeric(20,4) NOT NULL DEFAULT 0 CHECK (held >= 0),
        source text NOT NULL CHECK (source IN ('consent', 'implicit', 'admin')),
        oidc_grant_id text NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_used_at timestamptz NULL,
        expires_at timestamptz NULL,
        revoked_at timestamptz NULL
      )`);
    // One live grant per user and app.
    await q(`CREATE UNIQUE INDEX grants_live_key ON grants (user_id, client_type, client_id)
               WHERE revoked_at IS NULL`);
    await q(`CREATE INDEX grants_client_idx ON grants (client_type, client_id, created_at)`);
    // Holds reserved under a grant: counted in grants.held until captured, released or expired.
    await q(`
      CREATE TABLE grant_holds (
        hold_id uuid PRIMARY KEY REFERENCES credit_holds (id) ON DELETE CASCADE,
        grant_id uuid NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
        amount numeric(20,4) NOT NULL CHECK (amount > 0)
      )`);
    await q(`CREATE INDEX grant_holds_grant_idx ON grant_holds (grant_id)`);

    await q(`
      CREATE TABLE oauth_payloads (
        model text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        grant_id text NULL,
        uid text NULL,
        user_code text NULL,
        expires_at timestamptz NULL,
        consumed_at timestamptz NULL,
        PRIMARY KEY (model, id)
      )`);
    await q(
      `CREATE INDEX oauth_payloads_grant_idx ON oauth_payloads (grant_id) WHERE grant_id IS NOT NULL`,
    );
    await q(`CREATE INDEX oauth_payloads_uid_idx ON oauth_payloads (uid) WHERE uid IS NOT NULL`);
    await q(
      `CREATE INDEX oauth_payloads_expiry_idx ON oauth_payloads (expires_at) WHERE expires_at IS NOT NULL`,
    );

    // The first instant of the grant period that contains p_now (UTC days and months).
    await q(`
      CREATE FUNCTION grant_period_start(p_period text, p_now timestamptz) RETURNS timestamptz
      LANGUAGE sql IMMUTABLE AS $$
        SELECT date_trunc(p_period, p_now AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$`);

    // Rules: (1) a grant acts only while live (not revoked, not expired) and for its own user;
    // (2) a deduct or hold never takes the grant past its period cap or its total cap (what it
    // spent this period + what it holds + the amount); (3) a new period starts from zero;
    // (4) holds of the grant that expired stop counting. Locks the account row, then the grant
    // row (the lock order). Answers NULL to go on, or the refusal.
    await q(`
      CREATE FUNCTION grant_before(p_op jsonb, p_now timestamptz) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_user uuid := (p_op->>'user')::uuid;
        v_grant grants;
        v_start timestamptz;
        v_spent numeric;
        v_amount numeric := coalesce((p_op->>'amount')::numeric, 0);
        v_expired numeric;
      BEGIN
        PERFORM 1 FROM credit_accounts WHERE user_id = v_user FOR UPDATE;
        SELECT * INTO v_grant FROM grants WHERE id = (p_op->>'grant')::uuid FOR UPDATE;
        IF NOT FOUND OR v_grant.user_id <> v_user OR v_grant.revoked_at IS NOT NULL
           OR v_grant.expires_at <= p_now THEN
          RETURN jsonb_build_object('kind', 'grant_revoked', 'grant_id', p_op->>'grant');
        END IF;
        IF v_grant.held > 0 THEN
          WITH gone AS (
            DELETE FROM grant_holds gh USING credit_holds h
             WHERE gh.grant_id = v_grant.id AND h.id = gh.hold_id
               AND (h.status <> 'active' OR h.expires_at <= p_now)
            RETURNING gh.amount)
          SELECT coalesce(sum(amount), 0) INTO v_expired FROM gone;
          IF v_expired > 0 THEN
            UPDATE grants SET held = held - v_expired WHERE id = v_grant.id
            RETURNING * INTO v_grant;
          END IF;
        END IF;
        IF p_op->>'op' NOT IN ('deduct', 'reserve') THEN RETURN NULL; END IF;
        v_start := grant_period_start(v_grant.period, p_now);
        v_spent := CASE WHEN v_grant.period_start < v_start THEN 0 ELSE v_grant.period_spent END;
        IF v_grant.period_cap IS NOT NULL AND v_spent + v_grant.held + v_amount > v_grant.period_cap THEN
          RETURN jsonb_build_object('kind', 'grant_limit', 'grant_id', v_grant.id,
            'limit', CASE v_grant.period WHEN 'day' THEN 'daily' ELSE 'monthly' END,
            'cap', v_grant.period_cap::text,
            'remaining', greatest(v_grant.period_cap - v_spent - v_grant.held, 0)::text,
            'resets_at', v_start + ('1 ' || v_grant.period)::interval);
        END IF;
        IF v_grant.total_cap IS NOT NULL
           AND v_grant.total_spent + v_grant.held + v_amount > v_grant.total_cap THEN
          RETURN jsonb_build_object('kind', 'grant_limit', 'grant_id', v_grant.id,
            'limit', 'total', 'cap', v_grant.total_cap::text,
            'remaining', greatest(v_grant.total_cap - v_grant.total_spent - v_grant.held, 0)::text,
            'resets_at', NULL);
        END IF;
        RETURN NULL;
      END $$`);

    // Rules: what an operation under a grant did counts on the grant, in the same statement (the
    // grant row is locked by grant_before): a deduct is spent; a hold is held until its capture
    // (spent: what was captured) or release.
    await q(`
      CREATE FUNCTION grant_after(p_op jsonb, p_out jsonb, p_now timestamptz) RETURNS void
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_grant uuid := (p_op->>'grant')::uuid;
        v_spent numeric := 0;
        v_held numeric := 0;
        v_hold grant_holds;
      BEGIN
        CASE p_op->>'op'
          WHEN 'deduct' THEN
            v_spent := (p_op->>'amount')::numeric;
          WHEN 'reserve' THEN
            v_held := (p_op->>'amount')::numeric;
            INSERT INTO grant_holds (hold_id, grant_id, amount)
            VALUES ((p_out->>'hold_id')::uuid, v_grant, v_held);
          WHEN 'capture', 'release' THEN
            DELETE FROM grant_holds WHERE hold_id = (p_op->>'hold')::uuid AND grant_id = v_grant
            RETURNING * INTO v_hold;
            IF FOUND THEN
              v_held := -v_hold.amount;
              IF p_op->>'op' = 'capture' THEN v_spent := (p_op->>'amount')::numeric; END IF;
            END IF;
          ELSE NULL;
        END CASE;
        UPDATE grants g
           SET period_spent = CASE WHEN g.period_start < grant_period_start(g.period, p_now)
                                   THEN 0 ELSE g.period_spent END + v_spent,
               period_start = greatest(g.period_start, grant_period_start(g.period, p_now)),
               total_spent = g.total_spent + v_spent,
               held = g.held + v_held,
               last_used_at = p_now, updated_at = p_now
         WHERE g.id = v_grant;
      END $$`);

    await this.replaceApply(queryRunner, true);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await this.replaceApply(queryRunner, false);
    const q = (sql: string) => queryRunner.query(sql);
    await q(`DROP FUNCTION grant_after(jsonb, jsonb, timestamptz)`);
    await q(`DROP FUNCTION grant_before(jsonb, timestamptz)`);
    await q(`DROP FUNCTION grant_period_start(text, timestamptz)`);
    await q(`DROP TABLE oauth_payloads`);
    await q(`DROP TABLE grant_holds`);
    await q(`DROP TABLE grants`);
    await q(`ALTER TABLE integration_keys DROP COLUMN user_scope`);
  }

  /**
   * `credit_apply` of migration CreditCore, plus (when `withGrants`) the two grant hooks around
   * the dispatch: an operation carrying `grant` is checked before and counted after, in the same
   * call. Whoever replaces credit_apply again keeps the lines marked "grants".
   */
  private async replaceApply(queryRunner: QueryRunner, withGrants: boolean): Promise<void> {
    const before = withGrants
      ? `-- grants: refuse before running what the user's grant does not allow.
          v_out := CASE WHEN v_op ? 'grant' THEN grant_before(v_op, p_now) END;
          IF v_out IS NULL THEN`
      : `BEGIN`;
    const after = withGrants
      ? `-- grants: count what ran on the grant.
          IF v_op ? 'grant' AND v_out->>'kind' = 'ok' THEN PERFORM grant_after(v_op, v_out, p_now); END IF;
          END IF;`
      : `END;`;
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION credit_apply(p_ops jsonb, p_now timestamptz,
        p_key_expires_at timestamptz, p_key_wait_ms integer)
        RETURNS TABLE (op_index integer, op_outcome jsonb)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_op jsonb;
        v_i bigint;
        v_claim jsonb;
        v_key_id uuid;
        v_out jsonb;
      BEGIN
        FOR v_op, v_i IN SELECT e.value, e.ordinality FROM jsonb_array_elements(p_ops)
                         WITH ORDINALITY AS e LOOP
          v_key_id := NULL;
          IF v_op->>'key' IS NOT NULL THEN
            v_claim := credit_claim_key(v_op->>'scope', v_op->>'key', v_op->>'fingerprint', p_now,
                                        p_key_expires_at, p_key_wait_ms);
            IF v_claim->>'kind' <> 'claimed' THEN
              op_index := v_i - 1; op_outcome := v_claim; RETURN NEXT;
              CONTINUE;
            END IF;
            v_key_id := (v_claim->>'id')::uuid;
          END IF;
          ${before}
          v_out := CASE v_op->>'op'
            WHEN 'deduct' THEN credit_deduct((v_op->>'user')::uuid, (v_op->>'amount')::numeric,
              v_op->>'service', v_op->'metadata', v_op->>'actor', v_op->>'key', p_now)
            WHEN 'reserve' THEN credit_reserve((v_op->>'user')::uuid, (v_op->>'amount')::numeric,
              v_op->>'service', v_op->'metadata', v_op->>'actor',
              (v_op->>'expires_at')::timestamptz, p_now)
            WHEN 'capture' THEN credit_capture((v_op->>'hold')::uuid, (v_op->>'user')::uuid,
              v_op->>'owner', (v_op->>'amount')::numeric, v_op->>'type', v_op->'metadata',
              v_op->>'key', p_now)
            WHEN 'release' THEN credit_release((v_op->>'hold')::uuid, (v_op->>'user')::uuid,
              v_op->>'owner', p_now)
            WHEN 'refund' THEN credit_refund((v_op->>'transaction')::uuid, (v_op->>'user')::uuid,
              v_op->>'actor', (v_op->>'operator')::boolean, (v_op->>'amount')::numeric,
              v_op->>'reason', v_op->>'key', v_op->'audit', p_now)
            WHEN 'operator_change' THEN credit_operator_change((v_op->>'user')::uuid,
              v_op->>'type', (v_op->>'amount')::numeric, v_op->'metadata', v_op->>'actor',
              v_op->>'key', v_op->'audit', p_now)
            WHEN 'redeem_promo' THEN credit_redeem_promo((v_op->>'user')::uuid, v_op->>'code',
              p_now)
            WHEN 'signup' THEN credit_signup((v_op->>'user')::uuid, (v_op->>'amount')::numeric,
              p_now)
            WHEN 'check' THEN credit_check((v_op->>'user')::uuid, (v_op->>'amount')::numeric,
              p_now)
            WHEN 'state' THEN credit_account_state((v_op->>'user')::uuid, p_now)
          END;
          IF v_out IS NULL THEN RAISE EXCEPTION 'credit_apply: unknown operation %', v_op->>'op'; END IF;
          ${after}
          IF v_key_id IS NOT NULL THEN
            -- A missing account is opened by the caller, which then runs the operation again.
            IF v_out->>'kind' = 'no_account' THEN
              DELETE FROM idempotency_keys WHERE id = v_key_id;
            ELSE
              UPDATE idempotency_keys SET outcome = v_out WHERE id = v_key_id;
            END IF;
          END IF;
          op_index := v_i - 1; op_outcome := v_out; RETURN NEXT;
        END LOOP;
      END $$`);
  }
}
