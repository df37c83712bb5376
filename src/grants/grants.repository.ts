import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { unitsFromSql, unitsToSql } from '../common/money/credit-amount';
import type { GrantCaps, GrantClientType, GrantPeriod, GrantRecord, GrantSource } from './grant';

interface GrantRow {
  id: string;
  user_id: string;
  client_type: GrantClientType;
  client_id: string;
  client_name: string | null;
  scopes: string[];
  period: GrantPeriod;
  period_cap: string | null;
  total_cap: string | null;
  period_spent: string;
  total_spent: string;
  held: string;
  source: GrantSource;
  oidc_grant_id: string | null;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

// The period's spend reads 0 once its period has ended (the money core resets it on next use).
const SELECT = `
  SELECT g.id, g.user_id, g.client_type, g.client_id, c.payload->>'client_name' AS client_name,
         g.scopes, g.period, g.period_cap, g.total_cap,
         CASE WHEN g.period_start < grant_period_start(g.period, $1) THEN 0
              ELSE g.period_spent END AS period_spent,
         g.total_spent, g.held, g.source, g.oidc_grant_id, g.created_at, g.last_used_at,
         g.expires_at, g.revoked_at
    FROM grants g
    LEFT JOIN oauth_payloads c
      ON g.client_type = 'oauth' AND c.model = 'Client' AND c.id = g.client_id`;

const LIVE = `g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > $1)`;

function amount(value: string | null): bigint | null {
  return value === null ? null : unitsFromSql(value);
}

function toRecord(row: GrantRow): GrantRecord {
  return {
    id: row.id,
    userId: row.user_id,
    clientType: row.client_type,
    clientId: row.client_id,
    clientName: row.client_name ?? row.client_id,
    scopes: row.scopes,
    period: row.period,
    periodCap: amount(row.period_cap),
    totalCap: amount(row.total_cap),
    periodSpent: unitsFromSql(row.period_spent),
    totalSpent: unitsFromSql(row.total_spent),
    held: unitsFromSql(row.held),
    source: row.source,
    oidcGrantId: row.oidc_grant_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function capSql(cap: bigint | null): string | null {
  return cap === null ? null : unitsToSql(cap);
}

/** Every SQL statement on `grants` (the money core's functions count spending on them). */
@Injectable()
export class GrantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The user's live grant to this app, if any. */
  async findLive(
    userId: string,
    clientType: GrantClientType,
    clientId: string,
    now: Date,
  ): Promise<GrantRecord | null> {
    const rows = await this.dataSource.query<GrantRow[]>(
      `${SELECT} WHERE g.user_id = $2 AND g.client_type = $3 AND g.client_id = $4 AND ${LIVE}`,
      [now, userId, clientType, clientId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(id: string, now: Date): Promise<GrantRecord | null> {
    const rows = await this.dataSource.query<GrantRow[]>(`${SELECT} WHERE g.id = $2`, [now, id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Live grants, newest first, of one user and/or one app (admins: any). */
  async list(
    filter: { userId?: string; clientId?: string; includeRevoked?: boolean },
    now: Date,
    limit = 500,
  ): Promise<GrantRecord[]> {
    const rows = await this.dataSource.query<GrantRow[]>(
      `${SELECT}
        WHERE ($2::uuid IS NULL OR g.user_id = $2) AND ($3::text IS NULL OR g.client_id = $3)
          AND ($4 OR ${LIVE})
        ORDER BY g.created_at DESC, g.id DESC LIMIT $5`,
      [now, filter.userId ?? null, filter.clientId ?? null, filter.includeRevoked ?? false, limit],
    );
    return rows.map(toRecord);
  }

  /**
   * Creates the user's grant to this app, or — `replace` — sets the live one's scopes, caps and
   * expiry (a new consent); without `replace` a live grant is kept as it is (an implicit grant
   * never overrides what the user chose). Returns the live grant.
   */
  async upsert(
    grant: {
      userId: string;
      clientType: GrantClientType;
      clientId: string;
      scopes: string[];
      caps: GrantCaps;
      source: GrantSource;
      expiresAt: Date | null;
      oidcGrantId?: string | null;
    },
    replace: boolean,
    now: Date,
  ): Promise<GrantRecord> {
    await this.dataSource.query(
      `INSERT INTO grants (user_id, client_type, client_id, scopes, period, period_cap, total_cap,
                           period_start, source, oidc_grant_id, created_at, updated_at, expires_at)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7, grant_period_start($5, $8), $9, $10, $8, $8, $11)
       ON CONFLICT (user_id, client_type, client_id) WHERE revoked_at IS NULL
       DO UPDATE SET scopes = EXCLUDED.scopes, period = EXCLUDED.period,
                     period_cap = EXCLUDED.period_cap, total_cap = EXCLUDED.total_cap,
                     oidc_grant_id = coalesce(EXCLUDED.oidc_grant_id, grants.oidc_grant_id),
                     expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
         WHERE $12`,
      [
        grant.userId,
        grant.clientType,
        grant.clientId,
        grant.scopes,
        grant.caps.period,
        capSql(grant.caps.periodCap),
        capSql(grant.caps.totalCap),
        now,
        grant.source,
        grant.oidcGrantId ?? null,
        grant.expiresAt,
        replace,
      ],
    );
    const live = await this.findLive(grant.userId, grant.clientType, grant.clientId, now);
    if (!live) throw new Error('A grant just written is not live');
    return live;
  }

  /** Changes a live grant's caps; null when there is no such live grant (of this user). */
  async setCaps(id: string, userId: string | null, caps: GrantCaps, now: Date): Promise<boolean> {
    // A change of period starts the new period's count from what was spent in the current one.
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE grants g SET period = $3, period_cap = $4, total_cap = $5, updated_at = $6,
              period_spent = CASE WHEN g.period = $3 THEN g.period_spent ELSE 0 END,
              period_start = CASE WHEN g.period = $3 THEN g.period_start
                                  ELSE grant_period_start($3, $6) END
        WHERE g.id = $1 AND ($2::uuid IS NULL OR g.user_id = $2) AND g.revoked_at IS NULL`,
      [id, userId, caps.period, capSql(caps.periodCap), capSql(caps.totalCap), now],
    );
    return affected > 0;
  }

  /** Revokes a live grant; the grant as it was, or null when there is none (of this user). */
  async revoke(id: string, userId: string | null, now: Date): Promise<GrantRecord | null> {
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE grants SET revoked_at = $3, updated_at = $3
        WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) AND revoked_at IS NULL
        RETURNING id`,
      [id, userId, now],
    );
    return rows[0] ? this.findById(rows[0].id, now) : null;
  }

  /** Revokes every live grant of an app (an OAuth client deleted by an admin). */
  async revokeAllOf(
    clientType: GrantClientType,
    clientId: string,
    now: Date,
  ): Promise<GrantRecord[]> {
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `UPDATE grants SET revoked_at = $3, updated_at = $3
        WHERE client_type = $1 AND client_id = $2 AND revoked_at IS NULL RETURNING id`,
      [clientType, clientId, now],
    );
    const grants = await Promise.all(rows.map((r) => this.findById(r.id, now)));
    return grants.filter((g): g is GrantRecord => g !== null);
  }
}
