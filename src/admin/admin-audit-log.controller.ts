import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditLogEntry } from '../common/audit/audit-log.entity';
import { AuditLogService } from '../common/audit/audit-log.service';
import { AdminOnly } from '../auth/admin-access';
import { AuditLogQueryDto, optionalDate } from './dto/admin-requests.dto';

const DEFAULT_LIMIT = 50;

function toAuditView(entry: AuditLogEntry) {
  return {
    id: entry.id,
    actor_id: entry.actorId,
    actor_type: entry.actorType,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    before: entry.before,
    after: entry.after,
    request_id: entry.requestId,
    ip: entry.ip,
    created_at: entry.createdAt.toISOString(),
  };
}

/** The audit trail of every mutation. Who may call: admins only (JWT with role `admin`). */
@ApiTags('admin: audit log')
@AdminOnly()
@Controller('api/admin/audit-log')
export class AdminAuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  /** Admins: newest first, filtered by actor, action, target and time. */
  @Get()
  @ApiOperation({ summary: 'Audit log: who changed what, when, from where (keyset pages)' })
  @ApiBadRequestResponse({ description: 'Invalid query.' })
  async list(@Query() query: AuditLogQueryDto) {
    const page = await this.audit.list({
      actorId: query.actor,
      action: query.action,
      targetId: query.target_id,
      from: optionalDate(query.from),
      to: optionalDate(query.to),
      cursor: query.cursor,
      limit: query.limit ?? DEFAULT_LIMIT,
    });
    return { items: page.items.map(toAuditView), next_cursor: page.nextCursor };
  }
}
