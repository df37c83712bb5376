import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../http/request-context';
import { Clock } from '../time/clock';
import { AuditActorType, AuditLogEntry } from './audit-log.entity';

export interface AuditRecord {
  actor: { id: string | null; type: AuditActorType };
  action: string;
  target: { type: string; id?: string | null };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** The HTTP request that made the change; none for changes made at start-up. */
  request?: RequestContext;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  limit: number;
}

// Whatever a caller passes in before/after, these never reach the table.
const SECRET_FIELD = /(password|secret|token|hash|key)$/i;

export function withoutSecrets(
  value: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (!value) return null;
  return Object.fromEntries(Object.entries(value).filter(([field]) => !SECRET_FIELD.test(field)));
}

/**
 * The audit trail of mutations. `record` takes the caller's transaction manager so the row
 * commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditLogService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(manager: EntityManager, entry: AuditRecord): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (actor_id, actor_type, action, target_type, target_id, before, after,
                              request_id, ip, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        entry.actor.id,
        entry.actor.type,
        entry.action,
        entry.target.type,
        entry.target.id ?? null,
        withoutSecrets(entry.before),
        withoutSecrets(entry.after),
        entry.request?.requestId ?? null,
        entry.request?.ip ?? null,
        this.clock.now(),
      ],
    );
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(query: AuditQuery): Promise<{ items: AuditLogEntry[]; nextCursor: string | null }> {
    const qb = this.dataSource
      .getRepository(AuditLogEntry)
      .createQueryBuilder('a')
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .take(query.limit + 1);
    if (query.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: query.actorId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.targetId) qb.andWhere('a.target_id = :targetId', { targetId: query.targetId });
    if (query.from) qb.andWhere('a.created_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.created_at < :to', { to: query.to });
    const after = decodeCursor(query.cursor);
    if (after) qb.andWhere('(a.created_at, a.id) < (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb.getMany();
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(at);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) return null;
    return { at: date, id };
  } catch {
    return null;
  }
}
