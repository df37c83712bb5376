import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../common/audit/audit-log.service';
import { AdminOnly } from '../auth/admin-access';
import { AuditLogQueryDto, optionalDate } from './dto/admin-requests.dto';
import { AuditEntryDto, AuditPageDto } from './dto/admin-responses.dto';

const DEFAULT_LIMIT = 50;

/** The audit trail of every mutation. Who may call: admins only (JWT with role `admin`). */
@ApiTags('admin: audit log')
@AdminOnly()
@Controller('api/admin/audit-log')
export class AdminAuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  /** Admins: newest first, filtered by actor, action, target and time. */
  @Get()
  @ApiOperation({ summary: 'Audit log: who changed what, when, from where (keyset pages)' })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiBadRequestResponse({ description: 'Invalid query.' })
  async list(@Query() query: AuditLogQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list({
      actorId: query.actor,
      action: query.action,
      targetId: query.target_id,
      from: optionalDate(query.from),
      to: optionalDate(query.to),
      cursor: query.cursor,
      limit: query.limit ?? DEFAULT_LIMIT,
    });
    return {
      items: page.items.map((entry) => AuditEntryDto.from(entry)),
      next_cursor: page.nextCursor,
    };
  }
}
