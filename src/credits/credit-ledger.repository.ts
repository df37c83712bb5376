import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { unitsFromSql, unitsToSql } from '../common/money/credit-amount';
import type { CreditTransactionType } from './entities/credit-transaction.entity';

/** An account row as seen under its lock (or a snapshot for read-only answers). */
export interface AccountState {
  userId: string;
  balance: bigint;
  /** Sum of the active, unexpired holds. */
  held: bigint;
  userStatus: string;
}

export interface LedgerEntryInput {
  userId: string;
  type: CreditTransactionType;
  service: string | null;
  /** Signed units of 0.0001. */
  amount: bigint;
  metadata: Record<string, unknown>;
  idempotencyKey: string | null;
  refundsTransactionId: string | null;
  actor: string;
  at: Date;
}

export interface LedgerEntry {
  id: string;
  userId: string;
  type: CreditTransactionType;
  service: string | null;
  amount: bigint;
  balanceBefore: bigint;
  balanceAfter: bigint;
  metadata: Record<string, unknown>;
  refundsTransactionId: string | null;
  actor: string;
  createdAt: Date;
}

export interface LedgerRow {
  id: string;
  user_id: string;
  type: CreditTransactionType;
  service: string | null;
  amount: string;
  balance_before: string;
  balance_after: string;
  metadata: Record<string, unknown>;
  refunds_transaction_id: string | null;
  actor: string;
  created_at: Date;
}

export const LEDGER_COLUMNS = `id, user_id, type, service, amount, balance_before, balance_after, metadata,
  refunds_transaction_id, actor, created_at`;

export function toEntry(row: LedgerRow): LedgerEntry {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type,
    service: row.service,
    amount: unitsFromSql(row.amount),
    balanceBefore: unitsFromSql(row.balance_before),
    balanceAfter: unitsFromSql(row.balance_after),
    metadata: row.metadata,
    refundsTransactionId: row.refunds_transaction_id,
    actor: row.actor,
    createdAt: row.created_at,
  };
}

const ACCOUNT_STATE = `
  SELECT a.user_id, a.balance, u.status AS user_status,
         (SELECT coalesce(sum(h.amount), 0) FROM credit_holds h
           WHERE h.user_id = a.user_id AND h.status = 'active' AND h.expires_at > $2) AS held
    FROM credit_accounts a JOIN users u ON u.id = a.user_id
   WHERE a.user_id = $1`;

interface AccountRow {
  user_id: string;
  balance: string;
  held: string;
  user_status: string;
}

function toState(rows: AccountRow[]): AccountState | null {
  const row = rows[0];
  if (!row) return null;
  return {
    userId: row.user_id,
    balance: unitsFromSql(row.balance),
    held: unitsFromSql(row.held),
    userStatus: row.user_status,
  };
}

/**
 * Every SQL statement on credit accounts and the ledger. Methods take the caller's
 * `EntityManager` so they run inside the one transaction that owns a change.
 */
@Injectable()
export class CreditLedgerRepository {
  /**
   * `SELECT … FOR UPDATE` of the account (pessimistic write lock), then its active holds in a
   * second statement. Two statements on purpose: under READ COMMITTED a statement that waited for
   * the row lock re-reads the locked row but keeps its old snapshot for everything else, so a
   * sum of holds computed beside the lock would miss a hold committed while we waited. A new
   * statement after the lock sees every hold: they are all written under this same lock.
   */
  async lockAccount(tx: EntityManager, userId: string, now: Date): Promise<AccountState | null> {
    const rows = await tx.query<Omit<AccountRow, 'held'>[]>(
      `SELECT a.user_id, a.balance, u.status AS user_status
         FROM credit_accounts a JOIN users u ON u.id = a.user_id
        WHERE a.user_id = $1 FOR UPDATE OF a`,
      [userId],
    );
    if (!rows[0]) return null;
    const [held] = await tx.query<{ held: string }[]>(
      `SELECT coalesce(sum(amount), 0) AS held FROM credit_holds
        WHERE user_id = $1 AND status = 'active' AND expires_at > $2`,
      [userId, now],
    );
    return toState([{ ...rows[0], held: held.held }]);
  }

  /** The same without a lock: for read-only answers (check, balance). */
  async readAccount(
    manager: EntityManager,
    userId: string,
    now: Date,
  ): Promise<AccountState | null> {
    return toState(await manager.query<AccountRow[]>(ACCOUNT_STATE, [userId, now]));
  }

  /** The user's status (`active`, `disabled`), or null for an unknown user. */
  async userStatus(manager: EntityManager, userId: string): Promise<string | null> {
    const rows = await manager.query<{ status: string }[]>(
      `SELECT status FROM users WHERE id = $1`,
      [userId],
    );
    return rows[0]?.status ?? null;
  }

  /** Creates the empty account; false when it already existed. */
  async createAccount(tx: EntityManager, userId: string, at: Date): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `INSERT INTO credit_accounts (user_id, balance, created_at, updated_at) VALUES ($1, 0, $2, $2)
       ON CONFLICT (user_id) DO NOTHING RETURNING user_id`,
      [userId, at],
    );
    return rows.length > 0;
  }

  /**
   * Moves the balance by `amount` and appends the ledger row (SQL function `credit_ledger_append`,
   * the one place that does both): the account row must already be locked by this transaction.
   * The CHECK constraints refuse a negative balance.
   */
  async append(tx: EntityManager, entry: LedgerEntryInput): Promise<LedgerEntry> {
    const [row] = await tx.query<LedgerRow[]>(
      `SELECT ${LEDGER_COLUMNS}
         FROM credit_ledger_append($1, $2, $3, $4::numeric, $5::jsonb, $6, $7, $8, $9)`,
      [
        entry.userId,
        entry.type,
        entry.service,
        unitsToSql(entry.amount),
        JSON.stringify(entry.metadata),
        entry.idempotencyKey,
        entry.refundsTransactionId,
        entry.actor,
        entry.at,
      ],
    );
    return toEntry(row);
  }

  async findEntry(manager: EntityManager, id: string): Promise<LedgerEntry | null> {
    const rows = await manager.query<LedgerRow[]>(
      `SELECT ${LEDGER_COLUMNS} FROM credit_transactions WHERE id = $1`,
      [id],
    );
    return rows[0] ? toEntry(rows[0]) : null;
  }

  /** Total already refunded against one deduction (positive units). */
  async refundedTotal(tx: EntityManager, transactionId: string): Promise<bigint> {
    const rows = await tx.query<{ total: string }[]>(
      `SELECT coalesce(sum(amount), 0) AS total FROM credit_transactions
        WHERE refunds_transaction_id = $1 AND type = 'refund'`,
      [transactionId],
    );
    return unitsFromSql(rows[0]?.total);
  }

  /**
   * A page of a user's ledger, newest first, after the row `afterId` (the cursor): keyset
   * pagination on the (user_id, created_at, id) index, stable under concurrent inserts.
   */
  async page(
    manager: EntityManager,
    userId: string,
    limit: number,
    afterId?: string,
  ): Promise<LedgerEntry[]> {
    const rows = await manager.query<LedgerRow[]>(
      afterId
        ? `SELECT ${LEDGER_COLUMNS} FROM credit_transactions
            WHERE user_id = $1
              AND (created_at, id) < (SELECT created_at, id FROM credit_transactions
                                       WHERE id = $3 AND user_id = $1)
            ORDER BY created_at DESC, id DESC LIMIT $2`
        : `SELECT ${LEDGER_COLUMNS} FROM credit_transactions
            WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      afterId ? [userId, limit, afterId] : [userId, limit],
    );
    return rows.map(toEntry);
  }
}
