import { MigrationInterface, QueryRunner } from 'typeorm';
import { CreditHoldFunctions1795330000000 } from './1795330000000-CreditHoldFunctions';
import { creditApplySql } from './sql/credit-apply';

/**
 * The money core (issue 14): every money move is ONE call of `credit_apply` (autocommit), which
 * claims the Idempotency-Key, runs the operation and stores its outcome in the same statement.
 * Each function below says which rule it enforces; `src/credits/core/` is the only caller and
 * maps the outcomes (jsonb `{kind, …}`, amounts as numeric text) to responses and errors.
 *
 * Lock order everywhere: promo code row → account row → hold row; a batch of operations runs in
 * ascending user id, so concurrent batches lock accounts in one order.
 *
 * `credit_accounts` now carries `held` (Σ amount of its `active` holds) beside `balance`, and
 * `available` (GENERATED: balance − held), the one definition of what may be spent.
 * `holds_expire_at` is the earliest expiry among the active holds, or earlier (a hint: any move
 * that finds it passed releases that account's expired holds first).
 */
export class CreditCore1795340001400 implements MigrationInterface {
  name = 'CreditCore1795340001400';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);

    await q(
      `DROP FUNCTION credit_capture_hold(uuid, numeric, varchar, jsonb, varchar, uuid, varchar, timestamptz)`,
    );
    await q(
      `DROP FUNCTION credit_ledger_append(uuid, varchar, varchar, numeric, jsonb, varchar, uuid, varchar, timestamptz)`,
    );
    await q(
      `DROP FUNCTION credit_reserve_hold(uuid, varchar, numeric, varchar, jsonb, timestamptz, timestamptz)`,
    );

    await q(`UPDATE credit_holds SET status = 'expired', settled_at = now()
              WHERE status = 'active' AND expires_at <= now()`);
    await q(`ALTER TABLE credit_accounts
               ADD COLUMN held numeric(20,4) NOT NULL DEFAULT 0,
               ADD COLUMN holds_expire_at timestamptz NULL`);
    await q(`UPDATE credit_accounts a SET held = h.held, holds_expire_at = h.first_expiry
               FROM (SELECT user_id, sum(amount) AS held, min(expires_at) AS first_expiry
                       FROM credit_holds WHERE status = 'active' GROUP BY user_id) h
              WHERE h.user_id = a.user_id`);
    await q(`ALTER TABLE credit_accounts DROP CONSTRAINT credit_accounts_balance_check`);
    await q(`ALTER TABLE credit_accounts
               ADD CONSTRAINT credit_accounts_amounts_check CHECK (held >= 0 AND balance >= 0),
               ADD CONSTRAINT credit_accounts_available_check CHECK (balance >= held),
               ADD COLUMN available numeric(20,4) GENERATED ALWAYS AS (balance - held) STORED`);
    // Rule: the signup grant is written once per user.
    await q(`CREATE UNIQUE INDEX credit_transactions_signup_once
               ON credit_transactions (user_id) WHERE type = 'signup'`);
    // The core stores the operation's outcome; rows from before it keep status_code + response.
    await q(`ALTER TABLE idempotency_keys ADD COLUMN outcome jsonb NULL`);

    // Rule: an expired hold never blocks spending. Marks the account's expired holds `expired`,
    // takes them out of `held` and recomputes the expiry hint. The caller holds the account lock.
    await q(`
      CREATE FUNCTION credit_release_expired(p_user uuid, p_now timestamptz) RETURNS void
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
               updated_at = p_now
         WHERE user_id = p_user;
      END $$`);

    // Rules: unknown user, missing account and disabled user are refused (in that order); the
    // account row is locked; expired holds are released first. For moves that depend on more
    // than the account row (a hold's state, a refund total).
    await q(`
      CREATE FUNCTION credit_lock_account(p_user uuid, p_now timestamptz) RETURNS text
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_status text;
        v_expiry timestamptz;
      BEGIN
        SELECT status INTO v_status FROM users WHERE id = p_user;
        IF NOT FOUND THEN RETURN 'unknown_user'; END IF;
        SELECT holds_expire_at INTO v_expiry FROM credit_accounts WHERE user_id = p_user FOR UPDATE;
        IF NOT FOUND THEN RETURN 'no_account'; END IF;
        IF v_status <> 'active' THEN RETURN 'disabled'; END IF;
        IF v_expiry <= p_now THEN PERFORM credit_release_expired(p_user, p_now); END IF;
        RETURN 'ok';
      END $$`);

    // Rules: (1) spend only what is available: available (balance − held) ≥ p_need; (2) a disabled
    // account moves nothing; (3) expired holds never block: when the hint says one may have
    // expired, release them and try again. The one statement that changes an account's amounts;
    // on the usual path it is a single conditional UPDATE.
    await q(`
      CREATE FUNCTION credit_account_move(p_user uuid, p_balance numeric, p_held numeric,
        p_need numeric, p_hold_expires timestamptz, p_now timestamptz) RETURNS jsonb
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
                 updated_at = p_now
            FROM users u
           WHERE a.user_id = p_user AND u.id = a.user_id AND u.status = 'active'
             AND a.available >= p_need
             AND (a.holds_expire_at IS NULL OR a.holds_expire_at > p_now)
          RETURNING a.* INTO v_row;
          IF FOUND THEN
            RETURN jsonb_build_object('kind', 'ok', 'balance', v_row.balance::text,
                                      'held', v_row.held::text, 'available', v_row.available::text);
          END IF;
          v_kind := credit_lock_account(p_user, p_now);
          IF v_kind <> 'ok' THEN RETURN jsonb_build_object('kind', v_kind); END IF;
          SELECT * INTO v_row FROM credit_accounts WHERE user_id = p_user;
          IF v_row.available < p_need THEN
            RETURN jsonb_build_object('kind', 'insufficient', 'available', v_row.available::text);
          END IF;
        END LOOP;
        RAISE EXCEPTION 'credit_account_move: account % did not move', p_user;
      END $$`);

    // Rule: every balance change has its ledger row (balance_after = balance_before + amount is a
    // CHECK; the table is append-only).
    await q(`
      CREATE FUNCTION credit_ledger_row(p_user uuid, p_type text, p_service text, p_amount numeric,
        p_balance_after numeric, p_metadata jsonb, p_key text, p_refunds uuid, p_actor text,
        p_now timestamptz) RETURNS uuid
      LANGUAGE sql VOLATILE AS $$
        INSERT INTO credit_transactions (user_id, type, service, amount, balance_before,
          balance_after, metadata, idempotency_key, refunds_transaction_id, actor, created_at)
        VALUES (p_user, p_type, p_service, p_amount, p_balance_after - p_amount, p_balance_after,
          p_metadata, p_key, p_refunds, p_actor, p_now)
        RETURNING id $$`);

    // Rule: an operator's change and its audit row commit together: the money function writes
    // the row (who, request, static fields from p_audit; computed amounts merged in).
    await q(`
      CREATE FUNCTION credit_audit(p_audit jsonb, p_before jsonb, p_after jsonb, p_now timestamptz)
      RETURNS void LANGUAGE sql VOLATILE AS $$
        INSERT INTO audit_log (actor_id, actor_type, action, target_type, target_id, before, after,
                               request_id, ip, created_at)
        VALUES ((p_audit->>'actor_id')::uuid, p_audit->>'actor_type', p_audit->>'action',
                p_audit->>'target_type', p_audit->>'target_id',
                p_before || coalesce(p_audit->'before', '{}'::jsonb),
                p_after || coalesce(p_audit->'after', '{}'::jsonb),
                p_audit->>'request_id', p_audit->>'ip', p_now) $$`);

    // Decimal text as the API writes it (no trailing zeros), for audit rows.
    await q(`
      CREATE FUNCTION credit_text(p_amount numeric) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$ SELECT trim_scale(p_amount)::text $$`);

    // Rule: a deduct spends only what is available, as one `deduct` ledger row.
    await q(`
      CREATE FUNCTION credit_deduct(p_user uuid, p_cost numeric, p_service text, p_metadata jsonb,
        p_actor text, p_key text, p_now timestamptz) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v jsonb;
      BEGIN
        v := credit_account_move(p_user, -p_cost, 0, p_cost, NULL, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        RETURN v || jsonb_build_object('transaction_id', credit_ledger_row(p_user, 'deduct',
          p_service, -p_cost, (v->>'balance')::numeric, p_metadata, p_key, NULL, p_actor, p_now));
      END $$`);

    // Rule: a hold sets aside only what is available; it counts in `held` until captured,
    // released or expired.
    await q(`
      CREATE FUNCTION credit_reserve(p_user uuid, p_amount numeric, p_service text,
        p_metadata jsonb, p_actor text, p_expires_at timestamptz, p_now timestamptz) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v jsonb;
        v_id uuid;
      BEGIN
        v := credit_account_move(p_user, 0, p_amount, p_amount, p_expires_at, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        INSERT INTO credit_holds (user_id, service, amount, actor, metadata, expires_at, created_at)
        VALUES (p_user, p_service, p_amount, p_actor, p_metadata, p_expires_at, p_now)
        RETURNING id INTO v_id;
        RETURN v || jsonb_build_object('hold_id', v_id, 'expires_at', p_expires_at);
      END $$`);

    // Rules: a hold is settled only by its owner when one is named (its user, and the actor that
    // created it), else it does not exist for the caller; account row locked before the hold row
    // (lock order), expired holds released first.
    await q(`
      CREATE FUNCTION credit_lock_hold(p_hold uuid, p_user uuid, p_owner text, p_now timestamptz,
        OUT kind text, OUT hold credit_holds)
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        SELECT * INTO hold FROM credit_holds h WHERE h.id = p_hold;
        IF NOT FOUND OR hold.user_id <> coalesce(p_user, hold.user_id)
           OR hold.actor <> coalesce(p_owner, hold.actor) THEN
          kind := 'hold_not_found';
          RETURN;
        END IF;
        kind := credit_lock_account(hold.user_id, p_now);
        IF kind = 'ok' THEN
          SELECT * INTO hold FROM credit_holds h WHERE h.id = p_hold FOR UPDATE;
        END IF;
      END $$`);

    // Rules: only an active, unexpired hold is captured (its owner checked by credit_lock_hold);
    // a capture is at most the hold and charges one ledger row (`deduct`, or `chat` for the
    // gateway) in the hold creator's name; the whole hold leaves `held`. Capturing 0 releases it.
    await q(`
      CREATE FUNCTION credit_capture(p_hold uuid, p_user uuid, p_owner text, p_amount numeric,
        p_type text, p_metadata jsonb, p_key text, p_now timestamptz) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_lock record;
        v_hold credit_holds;
        v jsonb;
        v_tx uuid;
      BEGIN
        v_lock := credit_lock_hold(p_hold, p_user, p_owner, p_now);
        IF v_lock.kind <> 'ok' THEN RETURN jsonb_build_object('kind', v_lock.kind); END IF;
        v_hold := v_lock.hold;
        IF v_hold.status = 'active' AND v_hold.expires_at <= p_now THEN
          v_hold.status := 'expired';
        END IF;
        IF v_hold.status <> 'active' THEN
          RETURN jsonb_build_object('kind', 'hold_not_active', 'status', v_hold.status);
        END IF;
        IF p_amount > v_hold.amount THEN
          RETURN jsonb_build_object('kind', 'capture_exceeds', 'reserved', v_hold.amount::text);
        END IF;
        v := credit_account_move(v_hold.user_id, -p_amount, -v_hold.amount, 0, NULL, p_now);
        IF p_amount > 0 THEN
          v_tx := credit_ledger_row(v_hold.user_id, p_type, v_hold.service, -p_amount,
            (v->>'balance')::numeric, p_metadata || jsonb_build_object('hold_id', v_hold.id), p_key,
            NULL, v_hold.actor, p_now);
        END IF;
        UPDATE credit_holds
           SET status = CASE WHEN p_amount > 0 THEN 'captured' ELSE 'released' END,
               captured_amount = p_amount, transaction_id = v_tx, settled_at = p_now
         WHERE id = p_hold;
        RETURN v || jsonb_build_object('transaction_id', v_tx, 'hold_amount', v_hold.amount::text);
      END $$`);

    // Rules: releasing frees the hold from `held` without a ledger row; releasing a released or
    // expired hold again is fine; a captured hold cannot be released (owner: credit_lock_hold).
    await q(`
      CREATE FUNCTION credit_release(p_hold uuid, p_user uuid, p_owner text, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_lock record;
        v_hold credit_holds;
        v jsonb;
      BEGIN
        v_lock := credit_lock_hold(p_hold, p_user, p_owner, p_now);
        IF v_lock.kind <> 'ok' THEN RETURN jsonb_build_object('kind', v_lock.kind); END IF;
        v_hold := v_lock.hold;
        IF v_hold.status = 'captured' THEN
          RETURN jsonb_build_object('kind', 'hold_not_active', 'status', v_hold.status);
        END IF;
        IF v_hold.status = 'active' THEN
          v := credit_account_move(v_hold.user_id, 0, -v_hold.amount, 0, NULL, p_now);
          UPDATE credit_holds SET status = 'released', settled_at = p_now WHERE id = p_hold;
          RETURN v;
        END IF;
        RETURN jsonb_build_object('kind', 'ok', 'available',
          (SELECT available::text FROM credit_accounts WHERE user_id = v_hold.user_id));
      END $$`);

    // Rules: a caller refunds only `deduct` rows of this user that it made itself (same actor);
    // an operator refunds any `deduct` or `chat` row; refunds of one row never add up to more
    // than it (serialized by the account lock); optional audit row in the same statement.
    await q(`
      CREATE FUNCTION credit_refund(p_tx uuid, p_user uuid, p_actor text, p_operator boolean,
        p_amount numeric, p_reason text, p_key text, p_audit jsonb, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_orig credit_transactions;
        v_kind text;
        v_refundable numeric;
        v_amount numeric;
        v jsonb;
        v_tx uuid;
      BEGIN
        SELECT * INTO v_orig FROM credit_transactions WHERE id = p_tx;
        IF NOT FOUND
           OR NOT (v_orig.type = ANY (CASE WHEN p_operator THEN ARRAY['deduct', 'chat']
                                           ELSE ARRAY['deduct'] END))
           OR (NOT p_operator AND (v_orig.user_id <> p_user OR v_orig.actor <> p_actor)) THEN
          RETURN jsonb_build_object('kind', 'transaction_not_found');
        END IF;
        v_kind := credit_lock_account(v_orig.user_id, p_now);
        IF v_kind <> 'ok' THEN RETURN jsonb_build_object('kind', v_kind); END IF;
        SELECT -v_orig.amount - coalesce(sum(amount), 0) INTO v_refundable
          FROM credit_transactions WHERE refunds_transaction_id = p_tx AND type = 'refund';
        v_amount := coalesce(p_amount, v_refundable);
        IF v_refundable <= 0 OR v_amount > v_refundable THEN
          RETURN jsonb_build_object('kind', 'refund_exceeds',
            'refundable', greatest(v_refundable, 0)::text, 'requested', greatest(v_amount, 0)::text);
        END IF;
        v := credit_account_move(v_orig.user_id, v_amount, 0, 0, NULL, p_now);
        v_tx := credit_ledger_row(v_orig.user_id, 'refund', v_orig.service, v_amount,
          (v->>'balance')::numeric, jsonb_build_object('reason', p_reason), p_key, p_tx, p_actor,
          p_now);
        IF p_audit IS NOT NULL THEN
          PERFORM credit_audit(p_audit,
            jsonb_build_object('user_id', v_orig.user_id,
                               'balance', credit_text((v->>'balance')::numeric - v_amount)),
            jsonb_build_object('balance', credit_text((v->>'balance')::numeric),
                               'amount', credit_text(v_amount), 'refund_transaction_id', v_tx,
                               'refundable', credit_text(v_refundable - v_amount)),
            p_now);
        END IF;
        RETURN v || jsonb_build_object('transaction_id', v_tx, 'user_id', v_orig.user_id,
          'amount', v_amount::text, 'refundable', (v_refundable - v_amount)::text);
      END $$`);

    // Rules: an operator adds credits (`topup`) or moves a signed amount (`adjustment`); a
    // negative adjustment takes only what is available (never below zero, never into holds);
    // optional audit row in the same statement.
    await q(`
      CREATE FUNCTION credit_operator_change(p_user uuid, p_type text, p_amount numeric,
        p_metadata jsonb, p_actor text, p_key text, p_audit jsonb, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v jsonb;
        v_tx uuid;
      BEGIN
        v := credit_account_move(p_user, p_amount, 0, greatest(-p_amount, 0), NULL, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        v_tx := credit_ledger_row(p_user, p_type, NULL, p_amount, (v->>'balance')::numeric,
          p_metadata, p_key, NULL, p_actor, p_now);
        IF p_audit IS NOT NULL THEN
          PERFORM credit_audit(p_audit,
            jsonb_build_object('balance', credit_text((v->>'balance')::numeric - p_amount)),
            jsonb_build_object('balance', credit_text((v->>'balance')::numeric),
                               'amount', credit_text(p_amount), 'transaction_id', v_tx),
            p_now);
        END IF;
        RETURN v || jsonb_build_object('transaction_id', v_tx);
      END $$`);

    // Rules: a promo code gives its amount once per user, at most max_redemptions times, while
    // active and unexpired; redemptions of one code serialize on its row (code, then account).
    await q(`
      CREATE FUNCTION credit_redeem_promo(p_user uuid, p_code text, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_promo promo_codes;
        v jsonb;
        v_tx uuid;
      BEGIN
        SELECT * INTO v_promo FROM promo_codes WHERE code = p_code FOR UPDATE;
        IF NOT FOUND THEN RETURN jsonb_build_object('kind', 'promo_not_found'); END IF;
        IF NOT v_promo.active THEN
          RETURN jsonb_build_object('kind', 'promo_unavailable', 'reason', 'inactive');
        END IF;
        IF v_promo.expires_at <= p_now THEN
          RETURN jsonb_build_object('kind', 'promo_unavailable', 'reason', 'expired');
        END IF;
        IF EXISTS (SELECT 1 FROM promo_redemptions
                    WHERE promo_code_id = v_promo.id AND user_id = p_user) THEN
          RETURN jsonb_build_object('kind', 'promo_already_redeemed');
        END IF;
        IF v_promo.redemption_count >= v_promo.max_redemptions THEN
          RETURN jsonb_build_object('kind', 'promo_unavailable', 'reason', 'exhausted');
        END IF;
        v := credit_account_move(p_user, v_promo.amount, 0, 0, NULL, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        v_tx := credit_ledger_row(p_user, 'promo', NULL, v_promo.amount, (v->>'balance')::numeric,
          jsonb_build_object('code', v_promo.code, 'promo_code_id', v_promo.id), NULL, NULL,
          'user:' || p_user, p_now);
        UPDATE promo_codes SET redemption_count = redemption_count + 1, updated_at = p_now
         WHERE id = v_promo.id;
        INSERT INTO promo_redemptions (promo_code_id, user_id, transaction_id, created_at)
        VALUES (v_promo.id, p_user, v_tx, p_now);
        RETURN v || jsonb_build_object('transaction_id', v_tx, 'code', v_promo.code,
                                       'amount', v_promo.amount::text);
      END $$`);

    // Rules: the signup grant opens the account and writes its `signup` row once per user
    // (unique index credit_transactions_signup_once); a disabled or unknown user gets none.
    await q(`
      CREATE FUNCTION credit_signup(p_user uuid, p_amount numeric, p_now timestamptz)
      RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_status text;
        v jsonb;
        v_balance numeric;
      BEGIN
        SELECT status INTO v_status FROM users WHERE id = p_user;
        IF NOT FOUND THEN RETURN jsonb_build_object('kind', 'unknown_user'); END IF;
        IF v_status <> 'active' THEN RETURN jsonb_build_object('kind', 'disabled'); END IF;
        INSERT INTO credit_accounts (user_id, created_at, updated_at) VALUES (p_user, p_now, p_now)
        ON CONFLICT (user_id) DO NOTHING;
        SELECT balance INTO v_balance FROM credit_accounts WHERE user_id = p_user FOR UPDATE;
        IF EXISTS (SELECT 1 FROM credit_transactions WHERE user_id = p_user AND type = 'signup') THEN
          RETURN jsonb_build_object('kind', 'already_granted', 'balance', v_balance::text);
        END IF;
        v := credit_account_move(p_user, p_amount, 0, 0, NULL, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        RETURN v || jsonb_build_object('transaction_id', credit_ledger_row(p_user, 'signup', NULL,
          p_amount, (v->>'balance')::numeric, '{}'::jsonb, NULL, NULL, 'system', p_now));
      END $$`);

    // Rule: what an account can spend now (expired holds released first); a user without an
    // account yet has nothing. Read-only unless a hold has expired.
    await q(`
      CREATE FUNCTION credit_account_state(p_user uuid, p_now timestamptz) RETURNS jsonb
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
          'available', coalesce(v_row.available, 0)::text);
      END $$`);

    // Rules: a disabled account is refused; `cost` must be available. Writes nothing (but the
    // release of expired holds).
    await q(`
      CREATE FUNCTION credit_check(p_user uuid, p_cost numeric, p_now timestamptz) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v jsonb;
      BEGIN
        v := credit_account_state(p_user, p_now);
        IF v->>'kind' <> 'ok' THEN RETURN v; END IF;
        IF v->>'status' <> 'active' THEN RETURN jsonb_build_object('kind', 'disabled'); END IF;
        IF (v->>'available')::numeric < p_cost THEN
          RETURN jsonb_build_object('kind', 'insufficient', 'available', v->>'available');
        END IF;
        RETURN v;
      END $$`);

    // Rules (Idempotency-Key, Stripe semantics): one outcome per (scope, key). A copy waits for a
    // first still running (≤ p_wait_ms, else `in_progress` → 409), then replays its stored
    // outcome, refusals included; another request under the key → `key_reused` (422); an
    // expired key is claimed again in place. Returns {kind: 'claimed', id} or what to answer.
    await q(`
      CREATE FUNCTION credit_claim_key(p_scope text, p_key text, p_fingerprint text,
        p_now timestamptz, p_expires_at timestamptz, p_wait_ms integer) RETURNS jsonb
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_saved text := current_setting('lock_timeout');
        v_id uuid;
        v_row idempotency_keys;
      BEGIN
        BEGIN
          PERFORM set_config('lock_timeout', p_wait_ms::text, true);
          INSERT INTO idempotency_keys (scope, key, fingerprint, created_at, expires_at)
          VALUES (p_scope, p_key, p_fingerprint, p_now, p_expires_at)
          ON CONFLICT (scope, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,
                expires_at = EXCLUDED.expires_at, status_code = NULL, response = NULL,
                outcome = NULL
            WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
          RETURNING id INTO v_id;
          PERFORM set_config('lock_timeout', v_saved, true);
        EXCEPTION WHEN lock_not_available THEN
          RETURN jsonb_build_object('kind', 'in_progress');
        END;
        IF v_id IS NOT NULL THEN RETURN jsonb_build_object('kind', 'claimed', 'id', v_id); END IF;
        SELECT * INTO v_row FROM idempotency_keys WHERE scope = p_scope AND key = p_key;
        IF v_row.outcome IS NULL AND v_row.status_code IS NULL THEN
          RETURN jsonb_build_object('kind', 'in_progress');
        END IF;
        IF v_row.fingerprint <> p_fingerprint THEN
          RETURN jsonb_build_object('kind', 'key_reused');
        END IF;
        RETURN coalesce(v_row.outcome, jsonb_build_object('kind', 'legacy',
          'status', v_row.status_code, 'response', v_row.response));
      END $$`);

    // The one entry point: runs the operations in order (the caller sorts them by user id, the
    // lock order), each with its Idempotency-Key claimed first and its outcome stored after, and
    // answers one outcome per operation. One call = one autocommitted statement = one round trip.
    await q(creditApplySql(false));

    // Housekeeping: releases the expired holds of up to p_accounts accounts (in user id order,
    // the lock order); returns how many holds it marked `expired`.
    await q(`
      CREATE FUNCTION credit_expire_holds(p_now timestamptz, p_accounts integer) RETURNS integer
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_user uuid;
        v_before integer;
        v_count integer := 0;
      BEGIN
        FOR v_user IN SELECT DISTINCT user_id FROM credit_holds
                       WHERE status = 'active' AND expires_at <= p_now
                       ORDER BY user_id LIMIT p_accounts LOOP
          PERFORM 1 FROM credit_accounts WHERE user_id = v_user FOR UPDATE;
          SELECT count(*) INTO v_before FROM credit_holds
           WHERE user_id = v_user AND status = 'active' AND expires_at <= p_now;
          PERFORM credit_release_expired(v_user, p_now);
          v_count := v_count + v_before;
        END LOOP;
        RETURN v_count;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const q = (sql: string) => queryRunner.query(sql);
    for (const signature of [
      'credit_expire_holds(timestamptz, integer)',
      'credit_apply(jsonb, timestamptz, timestamptz, integer)',
      'credit_claim_key(text, text, text, timestamptz, timestamptz, integer)',
      'credit_check(uuid, numeric, timestamptz)',
      'credit_account_state(uuid, timestamptz)',
      'credit_signup(uuid, numeric, timestamptz)',
      'credit_redeem_promo(uuid, text, timestamptz)',
      'credit_operator_change(uuid, text, numeric, jsonb, text, text, jsonb, timestamptz)',
      'credit_refund(uuid, uuid, text, boolean, numeric, text, text, jsonb, timestamptz)',
      'credit_release(uuid, uuid, text, timestamptz)',
      'credit_lock_hold(uuid, uuid, text, timestamptz)',
      'credit_capture(uuid, uuid, text, numeric, text, jsonb, text, timestamptz)',
      'credit_reserve(uuid, numeric, text, jsonb, text, timestamptz, timestamptz)',
      'credit_deduct(uuid, numeric, text, jsonb, text, text, timestamptz)',
      'credit_text(numeric)',
      'credit_audit(jsonb, jsonb, jsonb, timestamptz)',
      'credit_ledger_row(uuid, text, text, numeric, numeric, jsonb, text, uuid, text, timestamptz)',
      'credit_account_move(uuid, numeric, numeric, numeric, timestamptz, timestamptz)',
      'credit_lock_account(uuid, timestamptz)',
      'credit_release_expired(uuid, timestamptz)',
    ]) {
      await q(`DROP FUNCTION ${signature}`);
    }
    await q(`ALTER TABLE idempotency_keys DROP COLUMN outcome`);
    await q(`DROP INDEX credit_transactions_signup_once`);
    await q(`ALTER TABLE credit_accounts
               DROP COLUMN available, DROP COLUMN holds_expire_at, DROP COLUMN held,
               DROP CONSTRAINT IF EXISTS credit_accounts_amounts_check,
               DROP CONSTRAINT IF EXISTS credit_accounts_available_check,
               ADD CONSTRAINT credit_accounts_balance_check CHECK (balance >= 0)`);
    await new CreditHoldFunctions1795330000000().up(queryRunner);
  }
}
