import { Injectable } from '@nestjs/common';
import type { HoldRecord } from '../credits/credit-holds.repository';
import { CreditHoldsService } from '../credits/credit-holds.service';
import {
  BalanceView,
  CreditLedgerService,
  CreditResult,
  RefundResult,
  TransactionView,
} from '../credits/credit-ledger.service';
import { Clock } from '../common/time/clock';
import { LedgerReportsService, UsageView } from '../credits/ledger-reports.service';
import type { LedgerFilter, UsageGrouping } from '../credits/ledger-reports.repository';
import { adminActor, auditedBy, Operator } from '../auth/admin-access';

export interface UserCredits {
  balance: BalanceView;
  holds: HoldRecord[];
  recent: TransactionView[];
}

const RECENT_TRANSACTIONS = 20;
const DEFAULT_USAGE_DAYS = 30;

/**
 * Operators' money routes. Each change is one call of the Credits money core (its rules and
 * Idempotency-Key semantics, scoped to `admin:<id>`), which writes the audit row described here
 * in the same statement as the ledger row: the two commit or roll back together, and a replayed
 * key writes neither.
 */
@Injectable()
export class AdminCreditsService {
  constructor(
    private readonly ledger: CreditLedgerService,
    private readonly holds: CreditHoldsService,
    private readonly reports: LedgerReportsService,
    private readonly clock: Clock,
  ) {}

  topUp(
    admin: Operator,
    userId: string,
    input: { amount: unknown; reason: string },
    idempotencyKey?: string,
  ): Promise<CreditResult> {
    return this.change(admin, userId, 'topup', input, idempotencyKey);
  }

  /** Signed; a negative adjustment never takes more than is available (402 with the balance). */
  adjust(
    admin: Operator,
    userId: string,
    input: { amount: unknown; reason: string },
    idempotencyKey?: string,
  ): Promise<CreditResult> {
    return this.change(admin, userId, 'adjustment', input, idempotencyKey);
  }

  refund(
    admin: Operator,
    transactionId: string,
    input: { amount?: unknown; reason: string },
    idempotencyKey?: string,
  ): Promise<RefundResult> {
    return this.ledger.refundAsOperator(
      adminActor(admin),
      { transactionId, amount: input.amount, reason: input.reason },
      idempotencyKey,
      {
        ...auditedBy(admin),
        action: 'credits.refund',
        target: { type: 'credit_transaction', id: transactionId },
        after: { reason: input.reason },
      },
    );
  }

  /** Balance, active holds and the latest ledger rows of a user. */
  async userCredits(userId: string): Promise<UserCredits> {
    const [balance, holds, recent] = await Promise.all([
      this.ledger.balance(userId),
      this.holds.activeHolds(userId),
      this.ledger.transactions(userId, RECENT_TRANSACTIONS),
    ]);
    return { balance, holds, recent: recent.items };
  }

  transactions(filter: LedgerFilter, limit: number, cursor?: string) {
    return this.reports.search(filter, limit, cursor);
  }

  /** Every matching ledger row as CSV, streamed from a database cursor. */
  exportTransactions(filter: LedgerFilter) {
    return this.reports.exportCsv(filter, 'transactions.csv');
  }

  /** Usage over [from, to): `to` defaults to now, `from` to 30 days before `to`. */
  usage(query: {
    groupBy: UsageGrouping;
    from?: Date;
    to?: Date;
    userId?: string;
  }): Promise<UsageView[]> {
    const to = query.to ?? this.clock.now();
    const from = query.from ?? new Date(to.getTime() - DEFAULT_USAGE_DAYS * 86_400_000);
    return this.reports.usage({ groupBy: query.groupBy, from, to, userId: query.userId });
  }

  private change(
    admin: Operator,
    userId: string,
    type: 'topup' | 'adjustment',
    input: { amount: unknown; reason: string },
    idempotencyKey?: string,
  ): Promise<CreditResult> {
    return this.ledger.credit(
      { actor: adminActor(admin), userId, type, amount: input.amount, reason: input.reason },
      idempotencyKey,
      {
        ...auditedBy(admin),
        action: `credits.${type}`,
        target: { type: 'user', id: userId },
        after: { reason: input.reason },
      },
    );
  }
}
