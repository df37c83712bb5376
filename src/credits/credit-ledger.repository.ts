import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { unitsFromSql } from '../common/money/credit-amount';
import type { CreditTransactionType } from './credit-types';

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

/**
 * Reads of the ledger (its writes are the money core's: `src/credits/core/`, migration
 * CreditCore).
 */
@Injectable()
export class CreditLedgerRepository {
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
