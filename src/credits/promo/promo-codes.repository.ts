import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { unitsFromSql, unitsToSql } from '../../common/money/credit-amount';

export interface PromoCodeRecord {
  id: string;
  code: string;
  amount: bigint;
  maxRedemptions: number;
  redemptionCount: number;
  expiresAt: Date | null;
  active: boolean;
  createdAt: Date;
}

interface PromoRow {
  id: string;
  code: string;
  amount: string;
  max_redemptions: number;
  redemption_count: number;
  expires_at: Date | null;
  active: boolean;
  created_at: Date;
}

const COLUMNS =
  'id, code, amount, max_redemptions, redemption_count, expires_at, active, created_at';

function toRecord(row: PromoRow): PromoCodeRecord {
  return {
    id: row.id,
    code: row.code,
    amount: unitsFromSql(row.amount),
    maxRedemptions: row.max_redemptions,
    redemptionCount: row.redemption_count,
    expiresAt: row.expires_at,
    active: row.active,
    createdAt: row.created_at,
  };
}

/** Every SQL statement on `promo_codes` and `promo_redemptions`. */
@Injectable()
export class PromoCodesRepository {
  /** Inserts a code; null when the code already exists. */
  async insert(
    manager: EntityManager,
    promo: {
      code: string;
      amount: bigint;
      maxRedemptions: number;
      expiresAt: Date | null;
      createdBy: string | null;
      at: Date;
    },
  ): Promise<PromoCodeRecord | null> {
    const rows = await manager.query<PromoRow[]>(
      `INSERT INTO promo_codes (code, amount, max_redemptions, expires_at, created_by, created_at, updated_at)
       VALUES ($1, $2::numeric, $3, $4, $5, $6, $6)
       ON CONFLICT (code) DO NOTHING RETURNING ${COLUMNS}`,
      [
        promo.code,
        unitsToSql(promo.amount),
        promo.maxRedemptions,
        promo.expiresAt,
        promo.createdBy,
        promo.at,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Inserts many codes in one statement; returns the ones inserted (taken codes are skipped). */
  async insertMany(
    manager: EntityManager,
    codes: string[],
    promo: {
      amount: bigint;
      maxRedemptions: number;
      expiresAt: Date | null;
      createdBy: string | null;
      at: Date;
    },
  ): Promise<PromoCodeRecord[]> {
    const rows = await manager.query<PromoRow[]>(
      `INSERT INTO promo_codes (code, amount, max_redemptions, expires_at, created_by, created_at, updated_at)
       SELECT c, $2::numeric, $3, $4, $5, $6, $6 FROM unnest($1::text[]) AS c
       ON CONFLICT (code) DO NOTHING RETURNING ${COLUMNS}`,
      [
        codes,
        unitsToSql(promo.amount),
        promo.maxRedemptions,
        promo.expiresAt,
        promo.createdBy,
        promo.at,
      ],
    );
    return rows.map(toRecord);
  }

  /** Newest first, keyset-paginated on (created_at, id) after the code `afterId`. */
  async list(
    manager: EntityManager,
    filter: { active?: boolean },
    limit: number,
    afterId?: string,
  ): Promise<PromoCodeRecord[]> {
    const params: unknown[] = [limit];
    const clauses: string[] = [];
    if (filter.active !== undefined) {
      params.push(filter.active);
      clauses.push(`active = $${params.length}`);
    }
    if (afterId) {
      params.push(afterId);
      clauses.push(
        `(created_at, id) < (SELECT created_at, id FROM promo_codes WHERE id = $${params.length})`,
      );
    }
    const rows = await manager.query<PromoRow[]>(
      `SELECT ${COLUMNS} FROM promo_codes ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return rows.map(toRecord);
  }

  async lockById(tx: EntityManager, id: string): Promise<PromoCodeRecord | null> {
    const rows = await tx.query<PromoRow[]>(
      `SELECT ${COLUMNS} FROM promo_codes WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async setActive(
    tx: EntityManager,
    id: string,
    active: boolean,
    at: Date,
  ): Promise<PromoCodeRecord> {
    const [rows] = await tx.query<[PromoRow[], number]>(
      `UPDATE promo_codes SET active = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, active, at],
    );
    return toRecord(rows[0]);
  }
}
