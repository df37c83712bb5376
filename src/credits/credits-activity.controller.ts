import { Controller, Get, Header, Query, StreamableFile, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../auth/decorators/current-user.decorator';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { Clock } from '../common/time/clock';
import { MyActivityQueryDto, MyUsageQueryDto } from './dto/credit-requests.dto';
import { ActivityPageDto, MyUsageRowDto } from './dto/my-activity.dto';
import type { LedgerFilter } from './ledger-reports.repository';
import { LedgerReportsService } from './ledger-reports.service';

const DAY_MS = 86_400_000;

function ownFilter(userId: string, query: MyActivityQueryDto): LedgerFilter {
  return {
    userId,
    type: query.type,
    service: query.service,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

/**
 * The dashboard's view of the signed-in user's own ledger: filtered pages, a CSV of the same
 * filter, and usage per day, service or model. Who may call: any user with a JWT, for themself.
 */
@ApiTags('credits (users)')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid access token.' })
@UseGuards(JwtAuthGuard)
@Controller('api/credits')
export class CreditsActivityController {
  constructor(
    private readonly reports: LedgerReportsService,
    private readonly clock: Clock,
  ) {}

  @Get('activity')
  @ApiOperation({ summary: 'My ledger rows, newest first, filtered by type/service/date' })
  @ApiOkResponse({ type: ActivityPageDto })
  async activity(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: MyActivityQueryDto,
  ): Promise<ActivityPageDto> {
    const page = await this.reports.search(
      ownFilter(user.id, query),
      query.limit ?? 20,
      query.cursor,
    );
    return {
      items: page.items.map(({ user_id: _own, ...row }) => row),
      next_cursor: page.next_cursor,
    };
  }

  @Get('activity.csv')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Every row of my ledger matching the filter, streamed as CSV' })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'One line per ledger row',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  activityCsv(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: MyActivityQueryDto,
  ): StreamableFile {
    return this.reports.exportCsv(ownFilter(user.id, query), 'my-credits.csv');
  }

  @Get('usage')
  @ApiOperation({ summary: 'My credits spent and added over the last 7, 30 or 90 days' })
  @ApiOkResponse({ type: [MyUsageRowDto] })
  async usage(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: MyUsageQueryDto,
  ): Promise<MyUsageRowDto[]> {
    const to = this.clock.now();
    const from = new Date(to.getTime() - query.days * DAY_MS);
    const rows = await this.reports.usage({ groupBy: query.group_by, from, to, userId: user.id });
    return rows.map(({ key, credits_spent, credits_added, transactions }) => ({
      key,
      credits_spent,
      credits_added,
      transactions,
    }));
  }
}
