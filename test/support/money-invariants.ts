/**
 * The money invariants, written against the tables (so they hold whatever code moved the money):
 * each returns the rows that break it — none, always.
 */
type Query = <T extends Record<string, unknown>>(sql: string) => Promise<T[]>;

export interface MoneyViolations {
  /** balance = Σ ledger amounts, per account. */
  balanceIsLedgerSum: unknown[];
  /** available = balance − active holds is never negative (and `held`, when kept, is that sum). */
  availableNotNegative: unknown[];
  /** Each Idempotency-Key of a caller wrote at most one ledger row. */
  keyChargedOnce: unknown[];
  /** Refunds of a deduction never exceed it. */
  refundsWithinOriginal: unknown[];
  /** A hold is captured at most once, and a released hold charged nothing. */
  holdResolvedOnce: unknown[];
}

export async function moneyViolations(query: Query): Promise<MoneyViolations> {
  const [{ has_held }] = await query<{ has_held: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_name = 'credit_accounts' AND column_name = 'held') AS has_held`,
  );
  const activeHolds = `SELECT user_id, sum(amount) AS amount FROM credit_holds
                        WHERE status = 'active' GROUP BY user_id`;
  return {
    balanceIsLedgerSum: await query(
      `SELECT a.user_id, a.balance, coalesce(sum(t.amount), 0) AS ledger
         FROM credit_accounts a LEFT JOIN credit_transactions t ON t.user_id = a.user_id
        GROUP BY a.user_id, a.balance HAVING a.balance <> coalesce(sum(t.amount), 0)`,
    ),
    availableNotNegative: await query(
      `SELECT a.user_id, a.balance, h.amount AS active_holds${has_held ? ', a.held' : ''}
         FROM credit_accounts a LEFT JOIN (${activeHolds}) h ON h.user_id = a.user_id
        WHERE a.balance - coalesce(h.amount, 0) < 0
              ${has_held ? 'OR a.held <> coalesce(h.amount, 0)' : ''}`,
    ),
    keyChargedOnce: await query(
      `SELECT actor, idempotency_key, count(*) AS rows FROM credit_transactions
        WHERE idempotency_key IS NOT NULL GROUP BY actor, idempotency_key HAVING count(*) > 1`,
    ),
    refundsWithinOriginal: await query(
      `SELECT o.id, o.amount, sum(r.amount) AS refunded
         FROM credit_transactions o JOIN credit_transactions r ON r.refunds_transaction_id = o.id
        GROUP BY o.id, o.amount HAVING sum(r.amount) > -o.amount`,
    ),
    holdResolvedOnce: await query(
      `SELECT h.id, h.status, count(t.id) AS ledger_rows
         FROM credit_holds h LEFT JOIN credit_transactions t ON t.metadata->>'hold_id' = h.id::text
        GROUP BY h.id, h.status
       HAVING count(t.id) > 1 OR (h.status <> 'captured' AND count(t.id) > 0)`,
    ),
  };
}

export const NO_VIOLATIONS: MoneyViolations = {
  balanceIsLedgerSum: [],
  availableNotNegative: [],
  keyChargedOnce: [],
  refundsWithinOriginal: [],
  holdResolvedOnce: [],
};
