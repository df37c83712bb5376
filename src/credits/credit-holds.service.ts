import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { formatUnits } from '../common/money/credit-amount';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { CreditHoldsRepository, HoldRecord } from './credit-holds.repository';
import { AccountState, CreditLedgerRepository } from './credit-ledger.repository';
import { CreditLedgerService } from './credit-ledger.service';
import { checkMetadata, CreditAmountRules, isUuid } from './credit-rules';
import {
  CaptureExceedsHoldError,
  CreditAccountDisabledError,
  HoldNotActiveError,
  HoldNotFoundError,
  InsufficientCreditsError,
  InvalidCreditRequestError,
} from './credits.errors';
import { IdempotencyService } from './idempotency/idempotency.service';

export interface ReserveInput {
  userId: string;
  /** Decimal string (or number) with at most 4 decimal places, > 0. */
  amount: string | number;
  service: string;
  /** Defaults to CREDIT_HOLD_DEFAULT_TTL; at most CREDIT_HOLD_MAX_TTL. */
  ttlSeconds?: number;
  metadata?: Record<string, unknown>;
  /** Who reserves: `api_key:<name>`, `user:<id>`…; defaults to `system`. */
  actor?: string;
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

/** Restricts capture/release to the hold's own user and actor (REST callers); 404 otherwise. */
export interface HoldOwner {
  userId: string;
  actor: string;
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
 * Holds: `reserve` sets credits aside (counted against the available balance until captured,
 * released or expired), `capture` charges the actual amount (≤ reserved) as one ledger row and
 * frees the rest, `release` frees all of it without a ledger row. Expired holds stop counting, so
 * a crashed caller never locks credits for ever. Lock order everywhere: account, then hold.
 */
@Injectable()
export class CreditHoldsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly holds: CreditHoldsRepository,
    private readonly ledgerRows: CreditLedgerRepository,
    private readonly ledger: CreditLedgerService,
    private readonly idempotency: IdempotencyService,
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
    const request = {
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
    };
    const reserveOn = async (manager: EntityManager): Promise<HoldView> => {
      const now = this.clock.now();
      const hold = {
        userId: input.userId,
        service: input.service,
        amount,
        actor,
        metadata,
        expiresAt: new Date(now.getTime() + ttlMs),
        at: now,
      };
      let result = await this.holds.reserveIfAvailable(manager, hold);
      if (result.outcome === 'no_account') {
        // First spend of a user whose account was never opened (a savepoint inside a transaction).
        await manager.transaction((tx) => this.ledger.openAccountOfUser(tx, input.userId));
        result = await this.holds.reserveIfAvailable(manager, hold);
      }
      switch (result.outcome) {
        case 'reserved':
          return {
            holdId: result.holdId,
            userId: input.userId,
            service: input.service,
            amount: formatUnits(amount),
            expiresAt: hold.expiresAt.toISOString(),
            available: formatUnits(result.available),
          };
        case 'insufficient':
          throw new InsufficientCreditsError(
            formatUnits(result.available),
            formatUnits(amount),
            input.userId,
          );
        case 'disabled':
          throw new CreditAccountDisabledError(input.userId);
        default:
          throw new Error(`No credit account for ${input.userId} after opening it`);
      }
    };
    return this.idempotency.execute(request, reserveOn, { singleStatement: true });
  }

  /** Charges the actual amount of an active hold; 409 when it is captured, released or expired. */
  async capture(
    holdId: string,
    input: CaptureInput,
    idempotencyKey?: string,
  ): Promise<CaptureResult> {
    const amount = this.amounts.parse(input.amount, 'amount', { allowZero: true });
    const metadata = checkMetadata(input.metadata);
    const type = input.type ?? 'deduct';
    const request = {
      scope: input.owner?.actor ?? 'system',
      key: idempotencyKey,
      operation: 'credits.hold.capture',
      payload: { holdId, amount: formatUnits(amount), type, metadata },
    };
    const captureOn = async (manager: EntityManager): Promise<CaptureResult> => {
      if (!isUuid(holdId)) throw new HoldNotFoundError(holdId);
      const result = await this.holds.capture(manager, {
        holdId,
        amount,
        type,
        metadata,
        idempotencyKey: idempotencyKey ?? null,
        owner: input.owner ?? null,
        at: this.clock.now(),
      });
      switch (result.outcome) {
        case 'not_found':
          throw new HoldNotFoundError(holdId);
        case 'not_active':
          throw new HoldNotActiveError(holdId, result.holdStatus);
        case 'expired':
          throw new HoldNotActiveError(holdId, 'expired');
        case 'exceeds':
          throw new CaptureExceedsHoldError(
            holdId,
            formatUnits(result.holdAmount),
            formatUnits(amount),
          );
        default:
          return {
            holdId,
            transactionId: result.transactionId,
            balance: formatUnits(result.balance),
            // `held` was read with this hold still active: it no longer counts.
            available: formatUnits(result.balance - (result.held - result.holdAmount)),
            capturedAmount: formatUnits(amount),
            releasedAmount: formatUnits(result.holdAmount - amount),
          };
      }
    };
    return this.idempotency.execute(request, captureOn, { singleStatement: true });
  }

  /** Frees a hold without charging; releasing twice is fine, releasing a captured hold → 409. */
  release(
    holdId: string,
    options: { owner?: HoldOwner } = {},
    idempotencyKey?: string,
  ): Promise<ReleaseResult> {
    const request = {
      scope: options.owner?.actor ?? 'system',
      key: idempotencyKey,
      operation: 'credits.hold.release',
      payload: { holdId },
    };
    return this.idempotency.execute(request, async (tx) => {
      const now = this.clock.now();
      const { hold } = await this.lockOwnHold(tx, holdId, now, options.owner, [
        'released',
        'expired',
      ]);
      if (hold.status === 'active') {
        await this.holds.settle(tx, hold.id, {
          status: 'released',
          capturedAmount: null,
          transactionId: null,
          at: now,
        });
      }
      const state = await this.ledgerRows.readAccount(tx, hold.userId, now);
      return {
        holdId: hold.id,
        status: 'released' as const,
        available: formatUnits(state ? state.balance - state.held : 0n),
      };
    });
  }

  /** The user's active holds (admin view, the chat gateway's own bookkeeping). */
  async activeHolds(userId: string): Promise<HoldRecord[]> {
    return this.holds.listActive(this.dataSource.manager, userId, this.clock.now());
  }

  /** Marks expired holds `expired` (they already stopped counting); returns how many. */
  expireStale(): Promise<number> {
    return this.holds.expireStale(this.dataSource.manager, this.clock.now());
  }

  /**
   * Locks account then hold (the order reserve uses), checks ownership and that the hold is
   * active or in one of `alsoAccept`. Locking the account first keeps the available balance
   * consistent with concurrent deducts.
   */
  private async lockOwnHold(
    tx: EntityManager,
    holdId: string,
    now: Date,
    owner: HoldOwner | undefined,
    alsoAccept: string[] = [],
  ): Promise<{ hold: HoldRecord; account: AccountState }> {
    const seen = isUuid(holdId) ? await this.holds.find(tx, holdId) : null;
    if (!seen || (owner && (seen.userId !== owner.userId || seen.actor !== owner.actor))) {
      throw new HoldNotFoundError(holdId);
    }
    const account = await this.ledger.lockAccount(tx, seen.userId, now);
    const hold = (await this.holds.lock(tx, holdId))!;
    if (hold.status !== 'active' && !alsoAccept.includes(hold.status)) {
      throw new HoldNotActiveError(holdId, hold.status);
    }
    return { hold, account };
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
