import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One stored oidc-provider model instance (a client, grant, code, token, session, interaction). */
export interface StoredPayload {
  payload: Record<string, unknown>;
  consumed: boolean;
}

/**
 * Every SQL statement on `oauth_payloads` (migration SpendingGrants), the PostgreSQL store behind
 * oidc-provider. Expired rows are never answered (they are pruned later); consuming a row is one
 * conditional UPDATE, so of two concurrent uses of a code or refresh token exactly one wins.
 */
@Injectable()
export class OAuthPayloadsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsert(
    model: string,
    id: string,
    payload: Record<string, unknown>,
    expiresAt: Date | null,
  ): Promise<void> {
    const grantId = typeof payload.grantId === 'string' ? payload.grantId : null;
    const uid = typeof payload.uid === 'string' ? payload.uid : null;
    const userCode = typeof payload.userCode === 'string' ? payload.userCode : null;
    await this.dataSource.query(
      `INSERT INTO oauth_payloads (model, id, payload, grant_id, uid, user_code, expires_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)
       ON CONFLICT (model, id) DO UPDATE
         SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
             user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
      [model, id, JSON.stringify(payload), grantId, uid, userCode, expiresAt],
    );
  }

  /** The live row by id, uid or user code; undefined when absent or expired. */
  async find(
    model: string,
    by: 'id' | 'uid' | 'user_code',
    value: string,
    now: Date,
  ): Promise<StoredPayload | undefined> {
    const rows = await this.dataSource.query<
      { payload: Record<string, unknown>; consumed_at: Date | null }[]
    >(
      `SELECT payload, consumed_at FROM oauth_payloads
        WHERE model = $1 AND ${by} = $2 AND (expires_at IS NULL OR expires_at > $3)
        LIMIT 1`,
      [model, value, now],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { payload: row.payload, consumed: row.consumed_at !== null };
  }

  /** Marks a row used; false when it was used already (or is gone): the caller lost the race. */
  async consume(model: string, id: string, now: Date): Promise<boolean> {
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE oauth_payloads SET consumed_at = $3
        WHERE model = $1 AND id = $2 AND consumed_at IS NULL`,
      [model, id, now],
    );
    return affected > 0;
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM oauth_payloads WHERE model = $1 AND id = $2`, [
      model,
      id,
    ]);
  }

  /** Every token, code and the grant itself of one oidc-provider grant. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM oauth_payloads WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`,
      [grantId],
    );
  }

  /** Every grant, code and token a client holds (the client was deleted). */
  async revokeAllOfClient(clientId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM oauth_payloads WHERE model <> 'Client' AND payload->>'clientId' = $1`,
      [clientId],
    );
  }

  /** Every grant, code and token one user gave one client (the user revoked the app). */
  async revokeUserClient(userId: string, clientId: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM oauth_payloads
        WHERE model IN ('Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken')
          AND payload->>'accountId' = $1 AND payload->>'clientId' = $2`,
      [userId, clientId],
    );
  }

  /** Removes rows that expired before `now`; how many. */
  async pruneExpired(now: Date): Promise<number> {
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM oauth_payloads WHERE expires_at <= $1`,
      [now],
    );
    return affected;
  }

  /** Admin-registered clients (and dynamically registered ones), newest first. */
  async listClients(): Promise<Record<string, unknown>[]> {
    const rows = await this.dataSource.query<{ payload: Record<string, unknown> }[]>(
      `SELECT payload FROM oauth_payloads WHERE model = 'Client'
        ORDER BY payload->>'created_at' DESC NULLS LAST, id LIMIT 1000`,
    );
    return rows.map((r) => r.payload);
  }

  /** Stores `value` under (model, id) unless a row is there; answers the row that is. */
  async insertOnce(
    model: string,
    id: string,
    value: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    await this.dataSource.query(
      `INSERT INTO oauth_payloads (model, id, payload) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (model, id) DO NOTHING`,
      [model, id, JSON.stringify(value)],
    );
    const rows = await this.dataSource.query<{ payload: Record<string, unknown> }[]>(
      `SELECT payload FROM oauth_payloads WHERE model = $1 AND id = $2`,
      [model, id],
    );
    return rows[0].payload;
  }
}
