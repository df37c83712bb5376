import { Client } from 'pg';
import { request } from './contract';
import { CreditLedgerService } from '../../src/credits/credit-ledger.service';
import { TestApp } from './test-app';
import { TestDatabase } from './test-database';

/** A known integration key, as a deployment would give it in INTEGRATION_API_KEYS. */
export const SORA2_KEY = 'sah_test_sora2_0123456789abcdefghijklmnopqrstuv';
export const CREDITS_TEST_ENV = {
  INTEGRATION_API_KEYS: `sora2:${SORA2_KEY}`,
  INTEGRATION_RATE_LIMIT_PER_MINUTE: '1000000',
};

/** Adds credits through the ledger itself (a `topup` row), so the ledger sum stays the balance. */
export async function topUp(t: TestApp, userId: string, amount: string): Promise<void> {
  await t.app.get(CreditLedgerService).credit({
    actor: 'admin:test',
    userId,
    type: 'topup',
    amount,
    reason: 'test seed',
  });
}

/** A credit API request as the Sora2 backend sends it. */
export function asSora2(
  t: TestApp,
  path: string,
  userId: string,
  body: object,
  headers: Record<string, string> = {},
) {
  return request(t.server)
    .post(`/api/mcp/v1/credits/${path}`)
    .set({ 'X-API-Key': SORA2_KEY, 'X-User-ID': userId, ...headers })
    .send(body);
}

export interface AccountFacts {
  balance: string;
  ledgerSum: string;
  rows: number;
}

/** What the database says about one account: balance, sum of its ledger, number of rows. */
export async function accountFacts(database: TestDatabase, userId: string): Promise<AccountFacts> {
  const [row] = await database.query<{ balance: string; ledger_sum: string; rows: string }>(
    `SELECT a.balance::text AS balance,
            (SELECT coalesce(sum(amount), 0)::text FROM credit_transactions t WHERE t.user_id = a.user_id) AS ledger_sum,
            (SELECT count(*)::text FROM credit_transactions t WHERE t.user_id = a.user_id) AS rows
       FROM credit_accounts a WHERE a.user_id = $1`,
    [userId],
  );
  return { balance: row.balance, ledgerSum: row.ledger_sum, rows: Number(row.rows) };
}

/**
 * The money invariants over the whole database: every account's balance equals the sum of its
 * ledger amounts (each row's balance_after = balance_before + amount is a CHECK constraint), and
 * its `held` equals the sum of its active holds. Returns the accounts that break them: none,
 * always.
 */
export async function ledgerViolations(database: TestDatabase): Promise<unknown[]> {
  return database.query(
    `SELECT a.user_id, a.balance, a.held,
            (SELECT coalesce(sum(t.amount), 0) FROM credit_transactions t
              WHERE t.user_id = a.user_id) AS ledger,
            (SELECT coalesce(sum(h.amount), 0) FROM credit_holds h
              WHERE h.user_id = a.user_id AND h.status = 'active') AS active_holds
       FROM credit_accounts a
      WHERE a.balance <> (SELECT coalesce(sum(t.amount), 0) FROM credit_transactions t
                           WHERE t.user_id = a.user_id)
         OR a.held <> (SELECT coalesce(sum(h.amount), 0) FROM credit_holds h
                        WHERE h.user_id = a.user_id AND h.status = 'active')`,
  );
}

/**
 * Runs `until` while another connection holds the user's credit account row locked, so every
 * money move of that user waits; then lets them go on. `until` returns as soon as what the test
 * needs has happened (it must not wait for a money move of the user), with what the test keeps.
 */
export async function whileAccountLocked<T>(
  database: TestDatabase,
  userId: string,
  until: () => Promise<T>,
): Promise<T> {
  const locker = new Client({ connectionString: database.url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM credit_accounts WHERE user_id = $1 FOR UPDATE', [userId]);
    const kept = await until();
    await locker.query('COMMIT');
    return kept;
  } finally {
    await locker.end();
  }
}
