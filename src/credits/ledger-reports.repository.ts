import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { unitsFromSql } from '../common/money/credit-amount';
import { LEDGER_COLUMNS, LedgerEntry, LedgerRow, toEntry } from './credit-ledger.repository';
import type { CreditTransactionType } from './credit-types';

/** Which ledger rows an operator looks at; every field optional. */
export interface LedgerFilter {
  userId?: string;
  service?: string;
  type?: CreditTransactionType;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export type UsageGrouping = 'day' | 'service' | 'model' | 'user';

export interface UsageRow {
  key: string | null;
  creditsSpent: string;
  creditsAdded: string;
  transactions: number;
  users: number;
}

/**
 * Each usage grouping: what rows are grouped by (`group`, a fixed SQL expression, never caller
 * input) and how the group's key is shown (`label`, of the grouped value `k`). Grouping on a
 * timestamp, a uuid or text under the "C" collation keeps the sort cheap: no locale-aware string
 * comparison of 300,000 rows.
 */
const USAGE_KEY: Record<UsageGrouping, { group: string; label: string }> = {
  // Days are UTC days.
  day: {
    group: `date_trunc('day', created_at AT TIME ZONE 'UTC')`,
    label: `to_char(k, 'YYYY-MM-DD')`,
  },
  service: { group: `service COLLATE "C"`, label: `k` },
  model: { group: `(metadata->>'model') COLLATE "C"`, label: `k` },
  user: { group: `user_id`, label: `k::text` },
};

/** Memory for one usage aggregation (its sort for distinct users), so it need not spill to disk. */
const USAGE_WORK_MEM = '64MB';

/** A portal name per export, so one connection could in principle hold several. */
let cursorSerial = 0;

/**
 * The operators' read side of the ledger: transaction search across users, the streamed export
 * (a server-side cursor), and usage analytics aggregated in SQL. Read-only; the writes all live
 * in `CreditLedgerRepository`.
 */
@Injectable()
export class LedgerReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Newest first, keyset-paginated on (created_at, id) after the row `afterId`: served by
   * `credit_transactions_user_created_idx` with a user, `…_service_created_idx` with a service,
   * else `…_created_idx`.
   */
  async search(filter: LedgerFilter, limit: number, afterId?: string): Promise<LedgerEntry[]> {
    const { where, params } = this.where(filter, afterId);
    const rows = await this.dataSource.query<LedgerRow[]>(
      `SELECT ${LEDGER_COLUMNS} FROM credit_transactions ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${Number(limit)}`,
      params,
    );
    return rows.map(toEntry);
  }

  /**
   * Every matching row, newest first, in batches of `batchSize` read from a PostgreSQL cursor
   * (`DECLARE … CURSOR` / `FETCH`) in one REPEATABLE READ transaction: a consistent snapshot of
   * any size with only one batch in memory. Stopping the iteration early (the client went away)
   * closes the cursor and returns the connection.
   */
  async *stream(filter: LedgerFilter, batchSize = 1000): AsyncGenerator<LedgerEntry[]> {
    const { where, params } = this.where(filter);
    const name = `ledger_export_${++cursorSerial}`;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(
        `DECLARE ${name} NO SCROLL CURSOR FOR
           SELECT ${LEDGER_COLUMNS} FROM credit_transactions ${where}
            ORDER BY created_at DESC, id DESC`,
        params,
      );
      for (;;) {
        const rows = (await runner.query(
          `FETCH FORWARD ${Number(batchSize)} FROM ${name}`,
        )) as LedgerRow[];
        if (rows.length === 0) break;
        yield rows.map(toEntry);
      }
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }

  /**
   * Credits spent (deductions and chat, less their refunds), credits added (sign-up, top-ups,
   * promos, adjustments), rows and distinct users per group over [from, to). A time range reads
   * the covering index `credit_transactions_created_idx` only (user_id, type, service and amount
   * are included); `model` also reads the rows' metadata.
   */
  async usage(
    grouping: UsageGrouping,
    range: { from: Date; to: Date },
    userId?: string,
  ): Promise<UsageRow[]> {
    const key = USAGE_KEY[grouping];
    const where = `created_at >= $1 AND created_at < $2 ${userId ? 'AND user_id = $3' : ''}`;
    const params = userId ? [range.from, range.to, userId] : [range.from, range.to];
    // Two statements side by side on two connections: the sums hash-aggregate the rows once
    // (~50 ms for 30 days of 1M rows), while distinct users per group, the costly part, is a
    // two-level hash aggregate; count(DISTINCT) in the same statement sorts every row and took
    // the service grouping past 200 ms (BENCHMARKS.md).
    const [sums, users] = await Promise.all([
      this.withUsageMemory((tx) =>
        tx.query<
          {
            k: string;
            key: string | null;
            credits_spent: string;
            credits_added: string;
            transactions: number;
          }[]
        >(
          `SELECT k::text, ${key.label} AS key,
                  coalesce(sum(-amount) FILTER (WHERE type IN ('deduct', 'chat')), 0)
                    - coalesce(sum(amount) FILTER (WHERE type = 'refund'), 0) AS credits_spent,
                  coalesce(sum(amount) FILTER (WHERE type IN ('signup', 'topup', 'promo', 'adjustment')), 0)
                    AS credits_added,
                  count(*)::int AS transactions
             FROM (SELECT ${key.group} AS k, type, amount FROM credit_transactions WHERE ${where}) r
            GROUP BY k`,
          params,
        ),
      ),
      this.withUsageMemory((tx) =>
        tx.query<{ k: string; users: number }[]>(
          `SELECT k::text, count(*)::int AS users
             FROM (SELECT ${key.group} AS k, user_id FROM credit_transactions WHERE ${where} GROUP BY 1, 2) d
            GROUP BY k`,
          params,
        ),
      ),
    ]);
    const usersByGroup = new Map(users.map((row) => [row.k, row.users]));
    const rows = sums.map((row) => ({
      sortKey: row.k,
      key: row.key,
      creditsSpent: row.credits_spent,
      creditsAdded: row.credits_added,
      transactions: row.transactions,
      users: usersByGroup.get(row.k) ?? 0,
    }));
    rows.sort((a, b) =>
      grouping === 'day'
        ? compareText(a.sortKey, b.sortKey)
        : compareDecimal(b.creditsSpent, a.creditsSpent) || compareText(a.sortKey, b.sortKey),
    );
    return rows.map(({ sortKey: _sortKey, ...row }) => row);
  }

  /** One read-only transaction with enough memory for a usage aggregation not to spill to disk. */
  private withUsageMemory<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL work_mem = '${USAGE_WORK_MEM}'`);
      return work(tx);
    });
  }

  private where(filter: LedgerFilter, afterId?: string): { where: string; params: unknown[] } {
    const params: unknown[] = [];
    const clauses: string[] = [];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      clauses.push(clause(`$${params.length}`));
    };
    if (filter.userId) add((p) => `user_id = ${p}`, filter.userId);
    if (filter.service) add((p) => `service = ${p}`, filter.service);
    if (filter.type) add((p) => `type = ${p}`, filter.type);
    if (filter.from) add((p) => `created_at >= ${p}`, filter.from);
    if (filter.to) add((p) => `created_at < ${p}`, filter.to);
    if (afterId) {
      add(
        (p) =>
          `(created_at, id) < (SELECT created_at, id FROM credit_transactions WHERE id = ${p})`,
        afterId,
      );
    }
    return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }
}

/** Byte order, as the "C" collation sorts the group keys. */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Compares two numeric values from SQL exactly (no floats). */
function compareDecimal(a: string, b: string): number {
  const difference = unitsFromSql(a) - unitsFromSql(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
