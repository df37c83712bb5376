// Shared SQL of the migrations (not a migration: TypeORM loads only migrations/*.ts).

/**
 * `credit_apply`, as migration CreditCore creates it, plus (when `withGrants`, migration
 * SpendingGrants) the two grant hooks around the dispatch: an operation carrying `grant` is
 * checked before and counted after, in the same call.
 * Whoever replaces credit_apply again builds it here and keeps the lines marked "grants".
 * `reserveLimits` (migration ChatLimitsInHolds): a reserve goes through `credit_reserve_limited`
 * with its `limits`.
 */
export function creditApplySql(withGrants: boolean, reserveLimits = false): string {
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
  return `
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
            WHEN 'reserve' THEN credit_reserve${reserveLimits ? '_limited' : ''}((v_op->>'user')::uuid, (v_op->>'amount')::numeric,
              v_op->>'service', v_op->'metadata', v_op->>'actor',
              (v_op->>'expires_at')::timestamptz, p_now${reserveLimits ? ", v_op->'limits'" : ''})
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
      END $$`;
}
