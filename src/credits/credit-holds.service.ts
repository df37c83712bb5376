import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { formatUnits, unitsFromSql } from '../common/money/credit-amount';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { CreditCore } from './core/credit-core';
import type { HoldLimits } from './core/credit-operations';
import { CreditHoldsRepository, HoldRecord } from './credit-holds.repository';
import { amountOf } from './credit-ledger.service';
import { checkMetadata, CreditAmountRules, isUuid } from './credit-rules';
import { HoldNotFoundError, InvalidCreditRequestError } from './credits.errors';

export interface ReserveInput {
  userId: string;
  /** Decimal string (or number) with at most 4 decimal places, > 0. */
  amount: string | number;
  service: string;
  /** Defaults to CREDIT_HOLD_DEFAULT_TTL; at most CREDIT_HOLD_MAX_TTL. */
  ttlSeconds?: number;
  metadata?: Record<string, unknown>;
  /** Who reserves: `api_key:<name>`, `user:<id>`, `system:chat`…; defaults to `system`. */
  actor?: string;
  /** The caller's spending grant (an app acting for the user). */
  grantId?: string;
  /** false: the hold's commit need not wait for PostgreSQL's WAL flush (CreditOp `awaitFlush`). */
  awaitFlush?: boolean;
  /** Limits on the user's holds of this `service`, taken with the hold (`HoldLimitError`). */
  limits?: HoldLimits;
}

export interface HoldView {
  holdId: string;
  userId: string;
  service: string;
  amount: string;
  /** ISO 8601. */
  expiresAt: string;
  /** Available after the reservation (balance − active holds). */
  available: string;
}

/**
 * Restricts capture/release to the hold's own user and the actor that created it (REST callers:
 * an integration key settles its own holds, a user's session only holds it made itself, never
 * the chat gateway's); 404 otherwise.
 */
export interface HoldOwner {
  userId: string;
  actor: string;
  /** The owner's spending grant: settling the hold settles what it holds on the grant. */
  grantId?: string;
}

export interface CaptureInput {
  /** Actual cost, ≤ the reserved amount; 0 releases the hold without a ledger row. */
  amount: string | number;
  /** Ledger type of the row written; `deduct` by default, `chat` for the chat gateway. */
  type?: 'deduct' | 'chat';
  metadata?: Record<string, unknown>;
  owner?: HoldOwner;
}

export interface CaptureResult {
  holdId: string;
  /** The ledger row; null when the captured amount was 0. */
  transactionId: string | null;
  /** Balance after the capture. */
  balance: string;
  available: string;
  capturedAmount: string;
  releasedAmount: string;
}

export interface ReleaseResult {
  holdId: string;
  status: 'released';
  available: string;
}

/**
 * Holds: `reserve` sets credits aside (counted in the account's `held` until captured, released
 * or expired), `capture` charges the actual amount (≤ reserved) as one ledger row and frees the
 * rest, `release` frees all of it without a ledger row. Expired holds stop counting, so a crashed
 * caller never locks credits for ever. Each is one call of the money core.
 */
@Injectable()
export class CreditHoldsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly core: CreditCore,
    private readonly holds: CreditHoldsRepository,
    private readonly amounts: CreditAmountRules,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Reserves `amount` if available (else 402); the hold lasts `ttlSeconds`. */
  reserve(input: ReserveInput, idempotencyKey?: string): Promise<HoldView> {
    const amount = this.amounts.parse(input.amount, 'amount');
    const ttlMs = this.ttlMs(input.ttlSeconds);
    const metadata = checkMetadata(input.metadata);
    const actor = input.actor ?? 'system';
    return this.core.run(
      {
        op: 'reserve',
        user: input.userId,
        amount,
        service: input.service,
        metadata,
        actor,
        expiresAt: new Date(this.clock.now().getTime() + ttlMs),
        grant: input.grantId,
        awaitFlush: input.awaitFlush,
        limits: input.limits,
      },
      (outcome) => ({
        holdId: outcome.hold_id as string,
        userId: input.userId,
        service: input.service,
        amount: formatUnits(amount),
        expiresAt: new Date(outcome.expires_at as string).toISOString(),
        available: amountOf(outcome, 'available'),
      }),
      {
        idempotency: {
          scope: actor,
          key: idempotencyKey,
          operation: 'credits.hold',
          payload: {
            userId: input.userId,
            service: input.service,
            amount: formatUnits(amount),
            ttlMs,
            metadata,
          },
        },
      },
    );
  }

  /**
   * Charges the actual amount of an active hold; 409 when it is captured, released or expired.
   * `userId`: the hold's user when the caller knows it (the chat gateway does), so the call can
   * share a statement with other operations.
   */
  capture(
    holdId: string,
    input: CaptureInput & { userId?: string },
    idempotencyKey?: string,
  ): Promise<CaptureResult> {
    const amount = this.amounts.parse(input.amount, 'amount', { allowZero: true });
    const metadata = checkMetadata(input.metadata);
    const type = input.type ?? 'deduct';
    if (!isUuid(holdId)) return Promise.reject(new HoldNotFoundError(holdId));
    return this.core.run(
      {
        op: 'capture',
        hold: holdId,
        user: input.owner?.userId ?? input.userId ?? null,
        owner: input.owner?.actor ?? null,
        amount,
        type,
        metadata,
        grant: input.owner?.grantId,
      },
      (outcome) => ({
        holdId,
        transactionId: (outcome.transaction_id as string | null) ?? null,
        balance: amountOf(outcome, 'balance'),
        available: amountOf(outcome, 'available'),
        capturedAmount: formatUnits(amount),
        releasedAmount: formatUnits(unitsFromSql(outcome.hold_amount as string) - amount),
      }),
      {
        idempotency: {
          scope: input.owner?.actor ?? 'system',
          key: idempotencyKey,
          operation: 'credits.hold.capture',
          payload: { holdId, amount: formatUnits(amount), type, metadata },
        },
      },
    );
  }

  /** Frees a hold without charging; releasing twice is fine, releasing a captured hold → 409. */
  release(
    holdId: string,
    options: { owner?: HoldOwner; userId?: string } = {},
    idempotencyKey?: string,
  ): Promise<ReleaseResult> {
    if (!isUuid(holdId)) return Promise.reject(new HoldNotFoundError(holdId));
    return this.core.run(
      {
        op: 'release',
        hold: holdId,
        user: options.owner?.userId ?? options.userId ?? null,
        owner: options.owner?.actor ?? null,
        grant: options.owner?.grantId,
      },
      (outcome) => ({
        holdId,
        status: 'released' as const,
        available: amountOf(outcome, 'available'),
      }),
      {
        idempotency: {
          scope: options.owner?.actor ?? 'system',
          key: idempotencyKey,
          operation: 'credits.hold.release',
          payload: { holdId },
        },
      },
    );
  }

  /** The user's active holds (admin view, the chat gateway's own bookkeeping). */
  async activeHolds(userId: string): Promise<HoldRecord[]> {
    return this.holds.listActive(this.dataSource.manager, userId, this.clock.now());
  }

  /** Releases expired holds (they already stopped counting); returns how many. */
  expireStale(): Promise<number> {
    return this.core.expireHolds();
  }

  private ttlMs(ttlSeconds: number | undefined): number {
    if (ttlSeconds === undefined) return this.config.credits.holdDefaultTtlMs;
    const maxSeconds = Math.floor(this.config.credits.holdMaxTtlMs / 1000);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > maxSeconds) {
      throw new InvalidCreditRequestError(`ttl_seconds must be an integer from 1 to ${maxSeconds}`);
    }
    return ttlSeconds * 1000;
  }
}
