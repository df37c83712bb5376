import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { formatUnits, unitsFromSql } from '../common/money/credit-amount';
import type { CreditCaller } from './callers/credit-caller';
import { CreditCore } from './core/credit-core';
import type { CoreAudit, Outcome } from './core/credit-operations';
import { CreditLedgerRepository, LedgerEntry } from './credit-ledger.repository';
import { checkMetadata, CreditAmountRules, isUuid } from './credit-rules';
import { CreditTransactionNotFoundError } from './credits.errors';
import type { CreditTransactionType } from './credit-types';

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

/** An amount of an outcome (numeric text) as the API writes it. */
export function amountOf(outcome: Outcome, field: string): string {
  return formatUnits(unitsFromSql(outcome[field] as string));
}

/**
 * The ledger's operations as the API offers them: each parses its input, names its
 * Idempotency-Key request, makes ONE call of the money core (`CreditCore`, which holds every
 * money rule) and shapes the answer. Amounts are bigint units of 0.0001 in memory, numeric(20,4)
 * in PostgreSQL, decimal strings on the wire; never floats.
 */
@Injectable()
export class CreditLedgerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly core: CreditCore,
    private readonly ledger: CreditLedgerRepository,
    private readonly amounts: CreditAmountRules,
  ) {}

  /**
   * The signup grant, the one entry point that gives a user their signup credits: opens the
   * account and writes its `signup` ledger row (SIGNUP_BONUS_CREDITS, possibly 0) once per user;
   * calling it again changes nothing. `manager`: the transaction that inserts the user.
   * With SIGNUP_BONUS_AT_REGISTRATION=false an account whose email is not verified yet
   * (`withBonus` false) opens at 0: the bonus comes with the verification (S-19).
   */
  openAccount(
    manager: EntityManager | undefined,
    userId: string,
    { withBonus }: { withBonus: boolean } = { withBonus: true },
  ): Promise<{ balance: string }> {
    const bonus = withBonus || this.core.bonusAtRegistration ? this.core.signupBonus : 0n;
    return this.core.run(
      { op: 'signup', user: userId, amount: bonus },
      (outcome) => ({ balance: amountOf(outcome, 'balance') }),
      { manager },
    );
  }

  /**
   * S-19: the signup bonus of an account that signed up unverified, when its email is verified
   * (`manager`: the transaction that turned email_verified true, once per user). A `topup` row
   * by `system:signup-bonus`, since the account's `signup` row (0) was written at sign-up.
   */
  async grantBonusOnVerifiedEmail(manager: EntityManager, userId: string): Promise<void> {
    if (this.core.bonusAtRegistration || this.core.signupBonus === 0n) return;
    await this.core.run(
      {
        op: 'operator_change',
        user: userId,
        type: 'topup',
        amount: this.core.signupBonus,
        metadata: { reason: 'Signup bonus: email verified' },
        actor: 'system:signup-bonus',
      },
      () => undefined,
      { manager },
    );
  }

  /** Is `cost` available (balance − held)? 402 when not, 403 for a disabled account. */
  check(caller: CreditCaller, input: { service: string; cost: unknown }): Promise<CheckResult> {
    const cost = this.amounts.parse(input.cost, 'cost');
    const check = {
      op: 'check' as const,
      user: caller.userId,
      amount: cost,
      grant: caller.grantId,
    };
    return this.core.run(check, (outcome) => ({
      sufficient: true as const,
      balance: amountOf(outcome, 'available'),
      userId: caller.userId,
    }));
  }

  /** Charges `cost` once per idempotency key: 402 when not available, nothing written then. */
  deduct(
    caller: CreditCaller,
    input: { service: string; cost: unknown; metadata?: unknown },
    idempotencyKey?: string,
  ): Promise<DeductResult> {
    const cost = this.amounts.parse(input.cost, 'cost');
    const metadata = checkMetadata(input.metadata);
    return this.core.run(
      {
        op: 'deduct',
        user: caller.userId,
        amount: cost,
        service: input.service,
        metadata,
        actor: caller.actor,
        grant: caller.grantId,
      },
      (outcome) => ({
        status: 'ok' as const,
        new_balance: amountOf(outcome, 'balance'),
        available: amountOf(outcome, 'available'),
        transaction_id: outcome.transaction_id as string,
        userId: caller.userId,
      }),
      {
        idempotency: {
          scope: caller.actor,
          key: idempotencyKey,
          operation: 'credits.deduct',
          payload: {
            userId: caller.userId,
            service: input.service,
            cost: formatUnits(cost),
            metadata,
          },
        },
      },
    );
  }

  /**
   * Refunds all or part of a `deduct` row made for this user by this caller (the same
   * integration key, or the same user's session). Refunds of one row never add up to more than
   * it (→ 409); `chat` rows are refunded only by operators.
   */
  refund(
    caller: CreditCaller,
    input: { transactionId: string; amount?: unknown; reason: string },
    idempotencyKey?: string,
  ): Promise<RefundResult> {
    return this.refundEntry({ actor: caller.actor, userId: caller.userId }, input, idempotencyKey);
  }

  /** An operator's refund of any user's `deduct` or `chat` row; `actor` is `admin:<id>`. */
  refundAsOperator(
    actor: string,
    input: { transactionId: string; amount?: unknown; reason: string },
    idempotencyKey?: string,
    audit?: CoreAudit,
  ): Promise<RefundResult> {
    return this.refundEntry({ actor, userId: null }, input, idempotencyKey, audit);
  }

  /**
   * An operator adds credits (`topup`) or moves a signed amount (`adjustment`): one ledger row,
   * idempotent per key; `audit` is written in the same statement.
   */
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
    audit?: CoreAudit,
  ): Promise<CreditResult> {
    const amount =
      input.type === 'adjustment'
        ? this.amounts.parseSigned(input.amount, 'amount')
        : this.amounts.parse(input.amount, 'amount');
    const metadata = { ...checkMetadata(input.metadata), reason: input.reason };
    return this.core.run(
      {
        op: 'operator_change',
        user: input.userId,
        type: input.type,
        amount,
        metadata,
        actor: input.actor,
        audit,
      },
      (outcome) => ({
        status: 'ok' as const,
        new_balance: amountOf(outcome, 'balance'),
        available: amountOf(outcome, 'available'),
        transaction_id: outcome.transaction_id as string,
        amount: formatUnits(amount),
        userId: input.userId,
      }),
      {
        idempotency: {
          scope: input.actor,
          key: idempotencyKey,
          operation: `credits.${input.type}`,
          payload: { userId: input.userId, amount: formatUnits(amount), metadata },
        },
      },
    );
  }

  /** Balance, available and held credits (a user without an account yet has 0); 404 for nobody. */
  balance(userId: string): Promise<BalanceView> {
    return this.core.run({ op: 'state', user: userId }, (outcome) => ({
      userId,
      balance: amountOf(outcome, 'balance'),
      available: amountOf(outcome, 'available'),
      held: amountOf(outcome, 'held'),
    }));
  }

  async transactions(userId: string, limit: number, cursor?: string): Promise<TransactionPage> {
    const entries = await this.ledger.page(this.dataSource.manager, userId, limit + 1, cursor);
    const items = entries.slice(0, limit).map(toTransactionView);
    return {
      items,
      next_cursor: entries.length > limit ? (items[items.length - 1]?.id ?? null) : null,
    };
  }

  private refundEntry(
    who: { actor: string; userId: string | null },
    input: { transactionId: string; amount?: unknown; reason: string },
    idempotencyKey?: string,
    audit?: CoreAudit,
  ): Promise<RefundResult> {
    const requested =
      input.amount === undefined || input.amount === null
        ? null
        : this.amounts.parse(input.amount, 'amount');
    if (!isUuid(input.transactionId)) {
      return Promise.reject(new CreditTransactionNotFoundError(input.transactionId));
    }
    return this.core.run(
      {
        op: 'refund',
        transaction: input.transactionId,
        user: who.userId,
        actor: who.actor,
        operator: who.userId === null,
        amount: requested,
        reason: input.reason,
        audit,
      },
      (outcome) => ({
        status: 'ok' as const,
        new_balance: amountOf(outcome, 'balance'),
        transaction_id: outcome.transaction_id as string,
        refunded_transaction_id: input.transactionId,
        amount: amountOf(outcome, 'amount'),
        refundable: amountOf(outcome, 'refundable'),
        userId: outcome.user_id as string,
      }),
      {
        idempotency: {
          scope: who.actor,
          key: idempotencyKey,
          operation: 'credits.refund',
          payload: {
            userId: who.userId ?? undefined,
            transactionId: input.transactionId,
            amount: requested === null ? null : formatUnits(requested),
            reason: input.reason,
          },
        },
      },
    );
  }
}
