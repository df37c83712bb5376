import { MigrationInterface, QueryRunner } from 'typeorm';
import { creditApplySql } from './sql/credit-apply';

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

  private async replaceApply(queryRunner: QueryRunner, withGrants: boolean): Promise<void> {
    await queryRunner.query(creditApplySql(withGrants));
  }
}
