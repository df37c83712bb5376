import { CreditLedgerService } from '../../src/credits/credit-ledger.service';
import { SessionService } from '../../src/session/session.service';
import type { TestApp } from './test-app';
import { insertUser, TestUser } from './users';

export interface FundedUser extends TestUser {
  /** A `VERIFIED-…` session token of this user. */
  sessionToken: string;
  sessionId: string;
}

/** A user with a credit account holding exactly `credits` (needs SIGNUP_BONUS_CREDITS=0), and a session. */
export async function fundedUser(t: TestApp, credits: string): Promise<FundedUser> {
  const user = await insertUser(t.database);
  const ledger = t.app.get(CreditLedgerService);
  await ledger.openAccount(undefined, user.id);
  // The app runs with SIGNUP_BONUS_CREDITS=0, so the top-up is the whole balance.
  if (Number(credits) > 0) {
    await ledger.credit({
      actor: 'admin:test',
      userId: user.id,
      type: 'topup',
      amount: credits,
      reason: 'test balance',
    });
  }
  const session = await t.app.get(SessionService).createForUser({ userId: user.id });
  return { ...user, sessionToken: session.token, sessionId: session.sessionId };
}

/** The account balance and the sum of its ledger rows, which must always agree. */
export async function ledgerOf(
  t: TestApp,
  userId: string,
): Promise<{ balance: string; ledgerSum: string; chatRows: Record<string, unknown>[] }> {
  const [account] = await t.database.query<{ balance: string; sum: string }>(
    `SELECT a.balance::text AS balance,
            (SELECT COALESCE(SUM(amount), 0)::text FROM credit_transactions t WHERE t.user_id = a.user_id) AS sum
       FROM credit_accounts a WHERE a.user_id = $1`,
    [userId],
  );
  const chatRows = await t.database.query(
    `SELECT amount::text AS amount, service, metadata FROM credit_transactions
      WHERE user_id = $1 AND type = 'chat' ORDER BY created_at`,
    [userId],
  );
  return { balance: account.balance, ledgerSum: account.sum, chatRows };
}
