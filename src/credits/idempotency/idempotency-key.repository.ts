import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface StoredOutcome {
  fingerprint: string;
  statusCode: number | null;
  response: unknown;
}

/** Every SQL statement on `idempotency_keys`. */
@Injectable()
export class IdempotencyKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims (scope, key) for this transaction, or re-claims it when its row has expired. While
   * another transaction holds an uncommitted claim this waits for it (up to `lock_timeout`), so
   * a copy never runs beside the first. Returns false when the key is already taken.
   */
  async claim(
    tx: EntityManager,
    claim: { scope: string; key: string; fingerprint: string; now: Date; expiresAt: Date },
  ): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,
             expires_at = EXCLUDED.expires_at, status_code = NULL, response = NULL
         WHERE idempotency_keys.expires_at <= EXCLUDED.created_at
       RETURNING id`,
      [claim.scope, claim.key, claim.fingerprint, claim.now, claim.expiresAt],
    );
    return rows.length > 0;
  }

  async find(tx: EntityManager, scope: string, key: string): Promise<StoredOutcome | null> {
    const rows = await tx.query<
      { fingerprint: string; status_code: number | null; response: unknown }[]
    >(
      `SELECT fingerprint, status_code, response FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    return row
      ? { fingerprint: row.fingerprint, statusCode: row.status_code, response: row.response }
      : null;
  }

  async complete(
    tx: EntityManager,
    scope: string,
    key: string,
    statusCode: number,
    response: unknown,
  ): Promise<void> {
    await tx.query(
      `UPDATE idempotency_keys SET status_code = $3, response = $4::jsonb WHERE scope = $1 AND key = $2`,
      [scope, key, statusCode, JSON.stringify(response)],
    );
  }

  async setLockTimeout(tx: EntityManager, ms: number | 'default'): Promise<void> {
    await tx.query(
      ms === 'default'
        ? `SET LOCAL lock_timeout TO DEFAULT`
        : `SET LOCAL lock_timeout = ${Math.max(1, Math.floor(ms))}`,
    );
  }

  async deleteExpired(now: Date): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE expires_at <= $1`,
      [now],
    );
    return result[1];
  }
}
