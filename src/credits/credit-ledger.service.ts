import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { formatUnits, parseUnits } from '../common/money/credit-amount';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import type { CreditCaller } from './callers/credit-caller';
import { AccountState, CreditLedgerRepository, LedgerEntry } from './credit-ledger.repository';
import { checkMetadata, CreditAmountRules, isUuid } from './credit-rules';
import {
  CreditAccountDisabledError,
  CreditAccountNotFoundError,
  CreditTransactionNotFoundError,
  InsufficientCreditsError,
  RefundExceedsOriginalError,
} from './credits.errors';
import type { CreditTransactionType } from './entities/credit-transaction.entity';
import { IdempotencyService } from './idempotency/idempotency.service';

export interface CheckResult {
  sufficient: true;
  /** Available: balance minus active holds. */
  balance: string;
  userId: string;
}

export interface DeductResult {
  status: 'ok';
  new_balance: string;
  /** new_balance minus active holds. */
  available: string;
  transaction_id: string;
  userId: string;
}

export interface RefundResult {
  status: 'ok';
  new_balance: string;
  transaction_id: string;
  refunded_transaction_id: string;
  amount: string;
  /** What may still be refunded against the original. */
  refundable: string;
  userId: string;
}

export interface CreditResult {
  status: 'ok';
  new_balance: string;
  available: string;
  transaction_id: string;
  amount: string;
  userId: string;
}

export interface BalanceView {
  userId: string;
  balance: string;
  available: string;
  held: string;
}

export interface TransactionView {
  id: string;
  type: CreditTransactionType;
  service: string | null;
  amount: string;
  balance_before: string;
  balance_after: string;
  metadata: Record<string, unknown>;
  refunds_transaction_id: string | null;
  actor: string;
  created_at: string;
}

export interface TransactionPage {
  items: TransactionView[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: string | null;
}

/**
 * Extra work a caller (the Admin API's audit row) runs inside the transaction of a change, after
 * it: it commits with the change or rolls it back. It does not run when an idempotent request is
 * replayed (nothing changes then).
 */
export type InSameTransaction<T> = (tx: EntityManager, result: T) => Promise<void>;

const REFUNDABLE_TYPES: readonly CreditTransactionType[] = ['deduct', 'chat'];

export function toTransactionView(entry: LedgerEntry): TransactionView {
  return {
    id: entry.id,
    type: entry.type,
    service: entry.service,
    amount: formatUnits(entry.amount),
    balance_before: formatUnits(entry.balanceBefore),
    balance_after: formatUnits(entry.balanceAfter),
    metadata: entry.metadata,
    refunds_transaction_id: entry.refundsTransactionId,
    actor: entry.actor,
    created_at: entry.createdAt.toISOString(),
  };
}

/**
 * The rules of the ledger. Every change is one transaction: lock the account row
 * (`SELECT … FOR UPDATE`), check against the available balance (balance − active holds), move the
 * balance and append the ledger row; any failure rolls all of it back. Amounts are bigint units of
 * 0.0001 in memory and numeric(20,4) in PostgreSQL, never floats.
 */
@Injectable()
export class CreditLedgerService {
  private readonly signupBonus: bigint;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: CreditLedgerRepository,
    private readonly idempotency: IdempotencyService,
    private readonly amounts: CreditAmountRules,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    const bonus = parseUnits(config.credits.signupBonus);
    this.signupBonus = 'units' in bonus ? bonus.units : 0n;
  }

  /**
   * Creates the user's account and its `signup` ledger row (SIGNUP_BONUS_CREDITS, possibly 0)
   * inside the caller's transaction: call it from the transaction that inserts the user. Does
   * nothing when the account already exists.
   */
  async openAccount(manager: EntityManager, userId: string): Promise<{ balance: string }> {
    const at = this.clock.now();
    if (!(await this.ledger.createAccount(manager, userId, at))) {
      const state = await this.ledger.readAccount(manager, userId, at);
      return { balance: formatUnits(state?.balance ?? 0n) };
    }
    const entry = await this.ledger.append(manager, {
      userId,
      type: 'signup',
      service: null,
      amount: this.signupBonus,
      metadata: {},
      idempotencyKey: null,
      refundsTransactionId: null,
      actor: 'system',
      at,
    });
    return { balance: formatUnits(entry.balanceAfter) };
  }

  /** Is `cost` available (balance − active holds)? 402 when not. Read-only: takes no lock. */
  async check(
    caller: CreditCaller,
    input: { service: string; cost: unknown },
  ): Promise<CheckResult> {
    const cost = this.amounts.parse(input.cost, 'cost');
    const state = await this.readState(caller.userId);
    if (state.userStatus !== 'active') throw new CreditAccountDisabledError(caller.userId);
    const available = state.balance - state.held;
    if (available < cost) {
      throw new InsufficientCreditsError(formatUnits(available), formatUnits(cost), caller.userId);
    }
    return { sufficient: true, balance: formatUnits(available), userId: caller.userId };
  }

  /** Charges `cost` once per idempotency key: 402 when not available, nothing written then. */
  async deduct(
    caller: CreditCaller,
    input: { service: string; cost: unknown; metadata?: unknown },
    idempotencyKey?: string,
  ): Promise<DeductResult> {
    const cost = this.amounts.parse(input.cost, 'cost');
    const metadata = checkMetadata(input.metadata);
    const request = {
      scope: caller.actor,
      key: idempotencyKey,
      operation: 'credits.deduct',
      payload: { userId: caller.userId, service: input.service, cost: formatUnits(cost), metadata },
    };
    return this.idempotency.execute(request, async (tx) => {
      const now = this.clock.now();
      const state = await this.lockSpendable(tx, caller.userId, now);
      const available = state.balance - state.held;
      if (available < cost) {
        throw new InsufficientCreditsError(
          formatUnits(available),
          formatUnits(cost),
          caller.userId,
        );
      }
      const entry = await this.ledger.append(tx, {
        userId: caller.userId,
        type: 'deduct',
        service: input.service,
        amount: -cost,
        metadata,
        idempotencyKey: idempotencyKey ?? null,
        refundsTransactionId: null,
        actor: caller.actor,
        at: now,
      });
      return {
        status: 'ok' as const,
        new_balance: formatUnits(entry.balanceAfter),
        available: formatUnits(entry.balanceAfter - state.held),
        transaction_id: entry.id,
        userId: caller.userId,
      };
    });
  }

  /**
   * Refunds all or part of a deduction made for this user by this caller. Refunds of one
   * deduction never add up to more than it (→ 409); concurrent refunds serialize on the account.
   */
  refund(
    caller: CreditCaller,
    input: { transactionId: string; amount?: unknown; reason: string },
    idempotencyKey?: string,
  ): Promise<RefundResult> {
    return this.refundEntry(
      { actor: caller.actor, userId: caller.userId, onlyOwnDeductions: true },
      input,
      idempotencyKey,
    );
  }

  /** Admin refund of any user's deduction; `actor` is e.g. `admin:<id>`. */
  refundAsOperator(
    actor: string,
    input: { transactionId: string; amount?: unknown; reason: string },
    idempotencyKey?: string,
    inSameTransaction?: InSameTransaction<RefundResult>,
  ): Promise<RefundResult> {
    return this.refundEntry(
      { actor, onlyOwnDeductions: false },
      input,
      idempotencyKey,
      inSameTransaction,
    );
  }

  /** Adds credits (`topup` by an operator, `promo`, …): one ledger row, idempotent per key. */
  credit(
    input: {
      actor: string;
      userId: string;
      type: 'topup' | 'adjustment';
      amount: unknown;
      reason: string;
      metadata?: unknown;
    },
    idempotencyKey?: string,
    inSameTransaction?: InSameTransaction<CreditResult>,
  ): Promise<CreditResult> {
    const amount =
      input.type === 'adjustment'
        ? this.amounts.parseSigned(input.amount, 'amount')
        : this.amounts.parse(input.amount, 'amount');
    const metadata = { ...checkMetadata(input.metadata), reason: input.reason };
    const request = {
      scope: input.actor,
      key: idempotencyKey,
      operation: `credits.${input.type}`,
      payload: { userId: input.userId, amount: formatUnits(amount), metadata },
    };
    return this.idempotency.execute(request, async (tx) => {
      const now = this.clock.now();
      const state = await this.lockAccount(tx, input.userId, now);
      const available = state.balance - state.held;
      // A negative adjustment may take only what is available: never below zero or into holds.
      if (amount < 0n && available < -amount) {
        throw new InsufficientCreditsError(
          formatUnits(available),
          formatUnits(-amount),
          input.userId,
        );
      }
      const entry = await this.ledger.append(tx, {
        userId: input.userId,
        type: input.type,
        service: null,
        amount,
        metadata,
        idempotencyKey: idempotencyKey ?? null,
        refundsTransactionId: null,
        actor: input.actor,
        at: now,
      });
      const result = {
        status: 'ok' as const,
        new_balance: formatUnits(entry.balanceAfter),
        available: formatUnits(entry.balanceAfter - state.held),
        transaction_id: entry.id,
        amount: formatUnits(amount),
        userId: input.userId,
      };
      await inSameTransaction?.(tx, result);
      return result;
    });
  }

  async balance(userId: string): Promise<BalanceView> {
    const state = await this.readState(userId);
    return {
      userId,
      balance: formatUnits(state.balance),
      available: formatUnits(state.balance - state.held),
      held: formatUnits(state.held),
    };
  }

  async transactions(userId: string, limit: number, cursor?: string): Promise<TransactionPage> {
    const entries = await this.ledger.page(this.dataSource.manager, userId, limit + 1, cursor);
    const items = entries.slice(0, limit).map(toTransactionView);
    return {
      items,
      next_cursor: entries.length > limit ? (items[items.length - 1]?.id ?? null) : null,
    };
  }

  /**
   * Locks the user's account for a change, opening it first for a user created before the
   * Credits module (or by a path that did not open one). 404 for an unknown user.
   */
  async lockAccount(tx: EntityManager, userId: string, now: Date): Promise<AccountState> {
    const state = await this.ledger.lockAccount(tx, userId, now);
    if (state) return state;
    await this.openAccountOfUser(tx, userId);
    return (await this.ledger.lockAccount(tx, userId, now))!;
  }

  /** Opens the account of a known user on first use; 404 for an unknown user id. */
  async openAccountOfUser(tx: EntityManager, userId: string): Promise<void> {
    if (!(await this.ledger.userStatus(tx, userId))) throw new CreditAccountNotFoundError(userId);
    await this.openAccount(tx, userId);
  }

  /** `lockAccount` for spending: a disabled user's credits cannot be spent (403). */
  async lockSpendable(tx: EntityManager, userId: string, now: Date): Promise<AccountState> {
    const state = await this.lockAccount(tx, userId, now);
    if (state.userStatus !== 'active') throw new CreditAccountDisabledError(userId);
    return state;
  }

  private async readState(userId: string): Promise<AccountState> {
    const manager = this.dataSource.manager;
    const now = this.clock.now();
    const state = await this.ledger.readAccount(manager, userId, now);
    if (state) return state;
    const userStatus = await this.ledger.userStatus(manager, userId);
    if (!userStatus) throw new CreditAccountNotFoundError(userId);
    return { userId, balance: 0n, held: 0n, userStatus };
  }

  private refundEntry(
    who: { actor: string; userId?: string; onlyOwnDeductions: boolean },
    input: { transactionId: string; amount?: unknown; reason: string },
    idempotencyKey?: string,
    inSameTransaction?: InSameTransaction<RefundResult>,
  ): Promise<RefundResult> {
    const requested =
      input.amount === undefined || input.amount === null
        ? undefined
        : this.amounts.parse(input.amount, 'amount');
    const request = {
      scope: who.actor,
      key: idempotencyKey,
      operation: 'credits.refund',
      payload: {
        userId: who.userId,
        transactionId: input.transactionId,
        amount: requested === undefined ? null : formatUnits(requested),
        reason: input.reason,
      },
    };
    return this.idempotency.execute(request, async (tx) => {
      const original = isUuid(input.transactionId)
        ? await this.ledger.findEntry(tx, input.transactionId)
        : null;
      if (
        !original ||
        !REFUNDABLE_TYPES.includes(original.type) ||
        (who.userId !== undefined && original.userId !== who.userId) ||
        (who.onlyOwnDeductions && original.actor !== who.actor)
      ) {
        throw new CreditTransactionNotFoundError(input.transactionId);
      }
      const now = this.clock.now();
      // The account lock serializes every refund of this user's deductions.
      await this.lockAccount(tx, original.userId, now);
      const refundable = -original.amount - (await this.ledger.refundedTotal(tx, original.id));
      const amount = requested ?? refundable;
      if (refundable <= 0n || amount > refundable) {
        throw new RefundExceedsOriginalError(
          original.id,
          formatUnits(refundable > 0n ? refundable : 0n),
          formatUnits(amount > 0n ? amount : 0n),
        );
      }
      const entry = await this.ledger.append(tx, {
        userId: original.userId,
        type: 'refund',
        service: original.service,
        amount,
        metadata: { reason: input.reason },
        idempotencyKey: idempotencyKey ?? null,
        refundsTransactionId: original.id,
        actor: who.actor,
        at: now,
      });
      const result = {
        status: 'ok' as const,
        new_balance: formatUnits(entry.balanceAfter),
        transaction_id: entry.id,
        refunded_transaction_id: original.id,
        amount: formatUnits(amount),
        refundable: formatUnits(refundable - amount),
        userId: original.userId,
      };
      await inSameTransaction?.(tx, result);
      return result;
    });
  }
}
