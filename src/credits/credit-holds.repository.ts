import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { unitsFromSql, unitsToSql } from '../common/money/credit-amount';
import type { CreditHoldStatus } from './entities/credit-hold.entity';

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

/** What `reserveIfAvailable` did; `available` is balance − active holds (after the hold). */
export type ReserveOutcome =
  | { outcome: 'reserved'; holdId: string; available: bigint }
  | { outcome: 'insufficient'; available: bigint }
  | { outcome: 'no_account' | 'disabled' };

interface CaptureRow {
  outcome: 'captured' | 'released' | 'not_found' | 'not_active' | 'expired' | 'exceeds';
  hold_status: CreditHoldStatus | null;
  hold_amount: string | null;
  balance: string | null;
  held: string | null;
  transaction_id: string | null;
}

/**
 * What `capture` did. `held` is the sum of active holds read with this one still active;
 * `balance` is after the capture (or as it was, when refused).
 */
export type CaptureOutcome =
  | { outcome: 'not_found' }
  | {
      outcome: Exclude<CaptureRow['outcome'], 'not_found'>;
      holdStatus: CreditHoldStatus;
      holdAmount: bigint;
      balance: bigint;
      held: bigint;
      transactionId: string | null;
    };

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

/** Every SQL statement on `credit_holds`. */
@Injectable()
export class CreditHoldsRepository {
  /**
   * Locks the account, counts its active holds and inserts the hold only if the rest covers it,
   * in one round trip (SQL function `credit_reserve_hold`, migration CreditHoldFunctions).
   */
  async reserveIfAvailable(
    manager: EntityManager,
    hold: {
      userId: string;
      service: string;
      amount: bigint;
      actor: string;
      metadata: Record<string, unknown>;
      expiresAt: Date;
      at: Date;
    },
  ): Promise<ReserveOutcome> {
    const [row] = await manager.query<
      { outcome: ReserveOutcome['outcome']; available: string | null; hold_id: string | null }[]
    >(`SELECT outcome, available, hold_id FROM credit_reserve_hold($1, $2, $3, $4, $5, $6, $7)`, [
      hold.userId,
      hold.service,
      unitsToSql(hold.amount),
      hold.actor,
      JSON.stringify(hold.metadata),
      hold.expiresAt,
      hold.at,
    ]);
    if (row.outcome === 'reserved') {
      return { outcome: 'reserved', holdId: row.hold_id!, available: unitsFromSql(row.available) };
    }
    if (row.outcome === 'insufficient') {
      return { outcome: 'insufficient', available: unitsFromSql(row.available) };
    }
    return { outcome: row.outcome };
  }

  /**
   * Captures `amount` of an active, unexpired hold (0 releases it) in one round trip (SQL
   * function `credit_capture_hold`): account lock, hold lock, the ledger row, the hold settled.
   * With `owner`, a hold of another user or caller counts as not found.
   */
  async capture(
    manager: EntityManager,
    capture: {
      holdId: string;
      amount: bigint;
      type: string;
      metadata: Record<string, unknown>;
      idempotencyKey: string | null;
      owner: { userId: string; actor: string } | null;
      at: Date;
    },
  ): Promise<CaptureOutcome> {
    const [row] = await manager.query<CaptureRow[]>(
      `SELECT outcome, hold_status, hold_amount, balance, held, transaction_id
         FROM credit_capture_hold($1, $2::numeric, $3, $4::jsonb, $5, $6, $7, $8)`,
      [
        capture.holdId,
        unitsToSql(capture.amount),
        capture.type,
        JSON.stringify(capture.metadata),
        capture.idempotencyKey,
        capture.owner?.userId ?? null,
        capture.owner?.actor ?? null,
        capture.at,
      ],
    );
    if (row.outcome === 'not_found') return { outcome: 'not_found' };
    return {
      outcome: row.outcome,
      holdStatus: row.hold_status!,
      holdAmount: unitsFromSql(row.hold_amount),
      balance: unitsFromSql(row.balance),
      held: unitsFromSql(row.held),
      transactionId: row.transaction_id,
    };
  }

  async find(manager: EntityManager, id: string): Promise<HoldRecord | null> {
    const rows = await manager.query<HoldRow[]>(
      `SELECT ${HOLD_COLUMNS} FROM credit_holds WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** `SELECT … FOR UPDATE`: capture and release of one hold serialize on its row. */
  async lock(tx: EntityManager, id: string): Promise<HoldRecord | null> {
    const rows = await tx.query<HoldRow[]>(
      `SELECT ${HOLD_COLUMNS} FROM credit_holds WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async settle(
    tx: EntityManager,
    id: string,
    outcome: {
      status: 'captured' | 'released';
      capturedAmount: bigint | null;
      transactionId: string | null;
      at: Date;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE credit_holds SET status = $2, captured_amount = $3::numeric, transaction_id = $4,
              settled_at = $5
        WHERE id = $1`,
      [
        id,
        outcome.status,
        outcome.capturedAmount === null ? null : unitsToSql(outcome.capturedAmount),
        outcome.transactionId,
        outcome.at,
      ],
    );
  }

  /** Active holds of a user that still count, soonest expiry first. */
  async listActive(manager: EntityManager, userId: string, now: Date): Promise<HoldRecord[]> {
    const rows = await manager.query<HoldRow[]>(
      `SELECT ${HOLD_COLUMNS} FROM credit_holds
        WHERE user_id = $1 AND status = 'active' AND expires_at > $2 ORDER BY expires_at`,
      [userId, now],
    );
    return rows.map(toRecord);
  }

  /** Marks holds past their expiry `expired` (they already stopped counting); returns how many. */
  async expireStale(manager: EntityManager, now: Date): Promise<number> {
    const result = await manager.query<[unknown[], number]>(
      `UPDATE credit_holds SET status = 'expired', settled_at = $1
        WHERE status = 'active' AND expires_at <= $1`,
      [now],
    );
    return result[1];
  }
}
