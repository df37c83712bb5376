import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { formatUnits, unitsFromSql } from '../../common/money/credit-amount';
import { MetricsService } from '../../metrics/metrics.service';
import { CreditHoldsRepository } from '../credit-holds.repository';
import type { CreditOp, Outcome } from './credit-operations';

/**
 * Prometheus metrics of the money core: every operation by kind and outcome, the credits each
 * kind moved, and at scrape time the holds still active (count and credits set aside) across
 * all instances, read from PostgreSQL through CreditHoldsRepository. Labels are operation names
 * and outcome kinds only.
 */
@Injectable()
export class CreditMetrics {
  private readonly operations: Counter<'operation' | 'outcome'>;
  private readonly credits: Counter<'operation'>;

  constructor(metrics: MetricsService, dataSource: DataSource, holds: CreditHoldsRepository) {
    const registers = [metrics.registry];
    this.operations = new Counter({
      name: 'credit_operations_total',
      help: 'Money-core operations by operation (deduct, refund, reserve, capture, release, topup, …) and outcome (ok or the refusal)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.credits = new Counter({
      name: 'credit_amount_total',
      help: 'Credits moved by successful operations, by operation (adjustments split into adjustment_up and adjustment_down)',
      labelNames: ['operation'],
      registers,
    });
    // Both gauges from one read per scrape; a scrape while PostgreSQL is away keeps the last values.
    let latest: Promise<{ count: number; held: bigint } | undefined> | undefined;
    const read = () => (latest ??= holds.activeTotals(dataSource.manager).catch(() => undefined));
    new Gauge({
      name: 'credit_holds_active',
      help: 'Holds not yet captured, released or expired by the housekeeping (all instances)',
      registers,
      async collect() {
        const row = await read();
        if (row) this.set(row.count);
      },
    });
    new Gauge({
      name: 'credit_holds_active_credits',
      help: 'Credits set aside by active holds (all instances)',
      registers,
      async collect() {
        const row = await read();
        latest = undefined;
        if (row) this.set(Number(formatUnits(row.held)));
      },
    });
  }

  record(op: CreditOp, outcome: Outcome): void {
    if (op.op === 'state') return;
    const operation = nameOf(op);
    this.operations.inc({ operation, outcome: outcome.kind });
    if (outcome.kind !== 'ok') return;
    // A refund of "whatever is left" names its amount only in the outcome.
    const amount =
      'amount' in op && typeof op.amount === 'bigint'
        ? op.amount
        : typeof outcome.amount === 'string'
          ? unitsFromSql(outcome.amount)
          : undefined;
    if (amount !== undefined && op.op !== 'check') {
      this.credits.inc({ operation }, Number(formatUnits(amount < 0n ? -amount : amount)));
    }
  }
}

function nameOf(op: CreditOp): string {
  if (op.op !== 'operator_change') return op.op;
  if (op.type === 'topup') return 'topup';
  return op.amount < 0n ? 'adjustment_down' : 'adjustment_up';
}
