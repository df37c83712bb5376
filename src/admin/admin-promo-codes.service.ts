import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogService } from '../common/audit/audit-log.service';
import { PromoCodesService, PromoCodeView } from '../credits/promo/promo-codes.service';
import { auditedBy, Operator } from '../auth/admin-access';
import { csvFile, CsvColumns } from '../common/http/csv';

export interface PromoTermsInput {
  amount: unknown;
  maxRedemptions: number;
  expiresAt?: Date;
}

export const PROMO_CSV_COLUMNS: CsvColumns<PromoCodeView> = [
  ['code', (p) => p.code],
  ['amount', (p) => p.amount],
  ['max_redemptions', (p) => p.max_redemptions],
  ['expires_at', (p) => p.expires_at],
  ['id', (p) => p.id],
];

/** Promo codes for operators: the Credits module's rules, plus an audit row in the same transaction. */
@Injectable()
export class AdminPromoCodesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly promos: PromoCodesService,
    private readonly audit: AuditLogService,
  ) {}

  create(admin: Operator, input: PromoTermsInput & { code?: string }): Promise<PromoCodeView> {
    return this.dataSource.transaction(async (tx) => {
      const promo = await this.promos.create({ ...input, createdBy: admin.id }, tx);
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: 'promo_code.create',
        target: { type: 'promo_code', id: promo.id },
        after: { ...promo },
      });
      return promo;
    });
  }

  /** Up to 1,000 generated codes in one transaction, with one audit row for the batch. */
  createBatch(
    admin: Operator,
    input: PromoTermsInput & { count: number; prefix?: string },
  ): Promise<PromoCodeView[]> {
    return this.dataSource.transaction(async (tx) => {
      const created = await this.promos.createBatch({ ...input, createdBy: admin.id }, tx);
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: 'promo_code.create_batch',
        target: { type: 'promo_code_batch' },
        after: {
          count: created.length,
          prefix: input.prefix ?? null,
          amount: created[0]?.amount,
          max_redemptions: input.maxRedemptions,
          expires_at: input.expiresAt?.toISOString() ?? null,
          ids: created.map((p) => p.id),
        },
      });
      return created;
    });
  }

  batchCsv(codes: PromoCodeView[]) {
    return csvFile('promo-codes.csv', PROMO_CSV_COLUMNS, [codes]);
  }

  list(filter: { active?: boolean }, limit: number, cursor?: string) {
    return this.promos.list(filter, limit, cursor);
  }

  setActive(admin: Operator, id: string, active: boolean): Promise<PromoCodeView> {
    return this.dataSource.transaction(async (tx) => {
      const { before, after } = await this.promos.setActive(id, active, tx);
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: 'promo_code.update',
        target: { type: 'promo_code', id },
        before: { active: before.active },
        after: { active: after.active },
      });
      return after;
    });
  }
}
