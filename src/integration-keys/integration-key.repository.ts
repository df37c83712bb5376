import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { IntegrationScope } from './integration-scopes';

/** `granted`: the key acts only for users who granted its integration; `all`: for any user. */
export type IntegrationUserScope = 'granted' | 'all';

export interface IntegrationKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: IntegrationScope[];
  source: 'env' | 'admin';
  userScope: IntegrationUserScope;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: IntegrationScope[];
  source: 'env' | 'admin';
  user_scope: IntegrationUserScope;
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS =
  'id, name, prefix, scopes, source, user_scope, created_by, created_at, last_used_at, revoked_at';

function toRecord(row: KeyRow): IntegrationKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    source: row.source,
    userScope: row.user_scope,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Every SQL statement on `integration_keys`; keys are looked up by their SHA-256 only. */
@Injectable()
export class IntegrationKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    key: {
      name: string;
      prefix: string;
      keyHash: string;
      scopes: IntegrationScope[];
      source: 'env' | 'admin';
      userScope: IntegrationUserScope;
      createdBy: string | null;
      at: Date;
    },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<IntegrationKeyRecord | null> {
    const rows = await manager.query<KeyRow[]>(
      `INSERT INTO integration_keys (name, prefix, key_hash, scopes, source, created_by, created_at,
                                     user_scope)
       VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8)
       ON CONFLICT (key_hash) DO NOTHING RETURNING ${COLUMNS}`,
      [
        key.name,
        key.prefix,
        key.keyHash,
        key.scopes,
        key.source,
        key.createdBy,
        key.at,
        key.userScope,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Inserts an admin-created key unless an active key already has its name (any letter case):
   * 'name_taken' then. Atomic: the check and the insert run under a transaction lock on the name.
   */
  async insertUniquelyNamed(
    key: Parameters<IntegrationKeyRepository['insert']>[0],
    manager?: EntityManager,
  ): Promise<IntegrationKeyRecord | 'name_taken' | null> {
    const run = async (tx: EntityManager) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 7714))`, [key.name]);
      const taken = await tx.query<unknown[]>(
        `SELECT 1 FROM integration_keys WHERE lower(name) = lower($1) AND revoked_at IS NULL`,
        [key.name],
      );
      return taken.length > 0 ? ('name_taken' as const) : this.insert(key, tx);
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  async findActiveByHash(keyHash: string): Promise<IntegrationKeyRecord | null> {
    const rows = await this.dataSource.query<KeyRow[]>(
      `SELECT ${COLUMNS} FROM integration_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(): Promise<IntegrationKeyRecord[]> {
    const rows = await this.dataSource.query<KeyRow[]>(
      `SELECT ${COLUMNS} FROM integration_keys ORDER BY created_at DESC, id DESC`,
    );
    return rows.map(toRecord);
  }

  /** Revokes a key; null when there is no such key. Revoking twice keeps the first time. */
  async revoke(
    id: string,
    at: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<IntegrationKeyRecord | null> {
    // For UPDATE … RETURNING TypeORM answers [rows, affected].
    const [rows] = await manager.query<[KeyRow[], number]>(
      `UPDATE integration_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id, at],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Records use at most about once a minute per key, so hot keys do not contend on their row. */
  async touch(id: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE integration_keys SET last_used_at = $2
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
      [id, at],
    );
  }
}
