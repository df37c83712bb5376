import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { unitsFromSql } from '../common/money/credit-amount';
import type { CreditHoldStatus } from './credit-types';

export interface HoldRecord {
  id: string;
  userId: string;
  service: string;
  amount: bigint;
  status: CreditHoldStatus;
  actor: string;
  metadata: Record<string, unknown>;
  expiresAt: Date;
  createdAt: Date;
}

interface HoldRow {
  id: string;
  user_id: string;
  service: string;
  amount: string;
  status: CreditHoldStatus;
  actor: string;
  metadata: Record<string, unknown>;
  expires_at: Date;
  created_at: Date;
}

const HOLD_COLUMNS =
  'id, user_id, service, amount, status, actor, metadata, expires_at, created_at';

function toRecord(row: HoldRow): HoldRecord {
  return {
    id: row.id,
    userId: row.user_id,
    service: row.service,
    amount: unitsFromSql(row.amount),
    status: row.status,
    actor: row.actor,
    metadata: row.metadata,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
  };
}

/** Reads of `credit_holds` (its writes are the money core's). */
@Injectable()
export class CreditHoldsRepository {
  /** Active holds of a user that still count, soonest expiry first. */
  async listActive(manager: EntityManager, userId: string, now: Date): Promise<HoldRecord[]> {
    const rows = await manager.query<HoldRow[]>(
      `SELECT ${HOLD_COLUMNS} FROM credit_holds
        WHERE user_id = $1 AND status = 'active' AND expires_at > $2 ORDER BY expires_at`,
      [userId, now],
    );
    return rows.map(toRecord);
  }

  /** Every active hold not yet settled or expired by the housekeeping (all users): how many, how much. */
  async activeTotals(manager: EntityManager): Promise<{ count: number; held: bigint }> {
    const [row] = await manager.query<{ n: string; held: string }[]>(
      `SELECT count(*)::text AS n, COALESCE(sum(amount), 0)::text AS held
         FROM credit_holds WHERE status = 'active'`,
    );
    return { count: Number(row.n), held: unitsFromSql(row.held) };
  }
}
