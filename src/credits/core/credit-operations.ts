import type { AuditRecord } from '../../common/audit/audit-log.service';

/** An Idempotency-Key as the core records it: whose key, the key, and what the request was. */
export interface IdempotentRequest {
  /** The caller the key belongs to, e.g. `api_key:sora2` or `admin:<id>`. */
  scope: string;
  /** The client's `Idempotency-Key`; without one the operation simply runs. */
  key?: string;
  /** Names the operation, so one key cannot be replayed against another route. */
  operation: string;
  /** Everything that defines the request (user, body): another payload under the key → 422. */
  payload: unknown;
}

/**
 * An operator's audit row, written by the money function itself in the same statement as the
 * change (so it commits iff the change commits). The function adds the computed amounts
 * (balance before and after, amount, transaction id) to `before` and `after`.
 */
export type CoreAudit = Pick<AuditRecord, 'actor' | 'action' | 'target' | 'request'> & {
  after?: Record<string, unknown>;
};

/**
 * Limits on one user's holds of one kind (`service`), e.g. the chat gateway's streams: how many
 * may be active at once, and how many may be taken in any minute. A reserve past either is
 * refused (`HoldLimitError`).
 */
export interface HoldLimits {
  concurrent?: number;
  perMinute?: number;
}

/** One money operation as `credit_apply` runs it. Amounts are bigint units of 0.0001. */
export type CreditOp =
  | {
      op: 'deduct';
      user: string;
      amount: bigint;
      service: string;
      metadata: Record<string, unknown>;
      actor: string;
      /** The caller's spending grant: the core checks and counts it in the same call. */
      grant?: string;
    }
  | {
      op: 'reserve';
      user: string;
      amount: bigint;
      service: string;
      metadata: Record<string, unknown>;
      actor: string;
      expiresAt: Date;
      /** The caller's spending grant: the core checks and counts it in the same call. */
      grant?: string;
      /**
       * false: the commit need not wait for PostgreSQL's WAL flush (see CreditCore). A hold
       * moves no money, so a crash of PostgreSQL can only forget a hold of its last moments.
       */
      awaitFlush?: boolean;
      /** Limits on the user's holds of this `service`, checked in the same call. */
      limits?: HoldLimits;
    }
  | {
      op: 'capture';
      hold: string;
      /** The hold's user and creator when the caller must own it; null for the system. */
      user: string | null;
      owner: string | null;
      amount: bigint;
      type: 'deduct' | 'chat';
      metadata: Record<string, unknown>;
      /** The caller's spending grant: the core checks and counts it in the same call. */
      grant?: string;
    }
  | { op: 'release'; hold: string; user: string | null; owner: string | null; grant?: string }
  | {
      op: 'refund';
      transaction: string;
      /** The caller's user (an integration or session refund); null for an operator. */
      user: string | null;
      actor: string;
      operator: boolean;
      /** Null: whatever is still refundable. */
      amount: bigint | null;
      reason: string;
      audit?: CoreAudit;
    }
  | {
      op: 'operator_change';
      user: string;
      type: 'topup' | 'adjustment';
      /** Signed for adjustments. */
      amount: bigint;
      metadata: Record<string, unknown>;
      actor: string;
      audit?: CoreAudit;
    }
  | { op: 'redeem_promo'; user: string; code: string }
  | { op: 'signup'; user: string; amount: bigint }
  | { op: 'check'; user: string; amount: bigint; grant?: string }
  | { op: 'state'; user: string };

/**
 * What `credit_apply` answered for one operation: `kind` and, depending on it, amounts as
 * numeric text (`balance`, `held`, `available`, …) and ids.
 */
export interface Outcome {
  kind: string;
  [field: string]: unknown;
}
