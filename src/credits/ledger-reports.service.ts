import { Injectable, StreamableFile } from '@nestjs/common';
import { csvFile, CsvColumns } from '../common/http/csv';
import { formatUnits, unitsFromSql } from '../common/money/credit-amount';
import { toTransactionView, TransactionView } from './credit-ledger.service';
import { isUuid } from './credit-rules';
import { InvalidCreditRequestError } from './credits.errors';
import { LedgerEntry } from './credit-ledger.repository';
import { LedgerFilter, LedgerReportsRepository, UsageGrouping } from './ledger-reports.repository';

/** A ledger row as operators see it: the user's view plus whose row it is. */
export interface LedgerRowView extends TransactionView {
  user_id: string;
}

export interface LedgerRowPage {
  items: LedgerRowView[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: string | null;
}

export interface UsageView {
  key: string | null;
  credits_spent: string;
  credits_added: string;
  transactions: number;
  users: number;
}

/** The columns of a ledger CSV download (operators' exports and a user's own). */
export const LEDGER_CSV_COLUMNS: CsvColumns<LedgerRowView> = [
  ['id', (r) => r.id],
  ['created_at', (r) => r.created_at],
  ['user_id', (r) => r.user_id],
  ['type', (r) => r.type],
  ['service', (r) => r.service],
  ['amount', (r) => r.amount],
  ['balance_before', (r) => r.balance_before],
  ['balance_after', (r) => r.balance_after],
  ['actor', (r) => r.actor],
  ['refunds_transaction_id', (r) => r.refunds_transaction_id],
  ['metadata', (r) => r.metadata],
];

/** Longest usage range one request may aggregate. */
export const USAGE_MAX_DAYS = 366;

export function toLedgerRowView(entry: LedgerEntry): LedgerRowView {
  return { user_id: entry.userId, ...toTransactionView(entry) };
}

/** Operators' questions about the whole ledger: search, export, usage. Read-only. */
@Injectable()
export class LedgerReportsService {
  constructor(private readonly reports: LedgerReportsRepository) {}

  async search(filter: LedgerFilter, limit: number, cursor?: string): Promise<LedgerRowPage> {
    if (cursor !== undefined && !isUuid(cursor)) {
      throw new InvalidCreditRequestError('cursor must be a next_cursor from a previous page');
    }
    const entries = await this.reports.search(filter, limit + 1, cursor);
    const items = entries.slice(0, limit).map(toLedgerRowView);
    return {
      items,
      next_cursor: entries.length > limit ? (items[items.length - 1]?.id ?? null) : null,
    };
  }

  /** Every matching row, newest first, a batch at a time (see LedgerReportsRepository.stream). */
  async *export(filter: LedgerFilter): AsyncGenerator<LedgerRowView[]> {
    for await (const batch of this.reports.stream(filter)) yield batch.map(toLedgerRowView);
  }

  /** Every matching row as a streamed CSV download. */
  exportCsv(filter: LedgerFilter, filename: string): StreamableFile {
    return csvFile(filename, LEDGER_CSV_COLUMNS, this.export(filter));
  }

  async usage(query: {
    groupBy: UsageGrouping;
    from: Date;
    to: Date;
    userId?: string;
  }): Promise<UsageView[]> {
    const days = (query.to.getTime() - query.from.getTime()) / 86_400_000;
    if (days <= 0) throw new InvalidCreditRequestError('from must be before to');
    if (days > USAGE_MAX_DAYS) {
      throw new InvalidCreditRequestError(`the range must be at most ${USAGE_MAX_DAYS} days`);
    }
    const rows = await this.reports.usage(query.groupBy, query, query.userId);
    return rows.map((row) => ({
      key: row.key,
      credits_spent: formatUnits(unitsFromSql(row.creditsSpent)),
      credits_added: formatUnits(unitsFromSql(row.creditsAdded)),
      transactions: row.transactions,
      users: row.users,
    }));
  }
}
