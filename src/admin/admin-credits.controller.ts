import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPaymentRequiredResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { IdempotencyKey } from '../credits/callers/credit-caller.decorators';
import { AdminOnly, CurrentOperator } from '../auth/admin-access';
import type { Operator } from '../auth/admin-access';
import { AdminCreditsService } from './admin-credits.service';
import {
  AdjustCreditsDto,
  AdminRefundDto,
  TopUpDto,
  TransactionsQueryDto,
  UsageQueryDto,
  optionalDate,
} from './dto/admin-requests.dto';
import {
  AdminCreditResultDto,
  LedgerRowPageDto,
  UsageRowDto,
  UserCreditsDto,
} from './dto/admin-responses.dto';
import { InsufficientCreditsErrorDto, RefundResultDto } from '../credits/dto/credit-responses.dto';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Scoped to the admin: the same key and body replay the first response without a second change; another body → 422.',
};
const DEFAULT_LIMIT = 50;

/** Money routes of the Admin API. Who may call: admins only (JWT with role `admin`). */
@ApiTags('admin: credits')
@AdminOnly()
@ApiBadRequestResponse({ description: 'Invalid id, body or query.' })
@Controller('api/admin')
export class AdminCreditsController {
  constructor(private readonly credits: AdminCreditsService) {}

  /** Admins: adds credits as a `topup` ledger row. */
  @Post('users/:id/credits/top-up')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Top up a user: one `topup` ledger row; returns the new balance' })
  @ApiOkResponse({ type: AdminCreditResultDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  @ApiConflictResponse({ description: 'A copy with this Idempotency-Key is still running.' })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with another body.' })
  async topUp(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) userId: string,
    @Body() dto: TopUpDto,
    @IdempotencyKey() key?: string,
  ): Promise<AdminCreditResultDto> {
    return AdminCreditResultDto.from(await this.credits.topUp(admin, userId, dto, key));
  }

  /** Admins: a signed correction as an `adjustment` ledger row, never below zero. */
  @Post('users/:id/credits/adjust')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Adjust a balance by a signed amount (never below zero)' })
  @ApiOkResponse({ type: AdminCreditResultDto })
  @ApiPaymentRequiredResponse({
    type: InsufficientCreditsErrorDto,
    description: 'Would go below zero (or into held credits): {balance (available), required}.',
  })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  @ApiConflictResponse({ description: 'A copy with this Idempotency-Key is still running.' })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with another body.' })
  async adjust(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) userId: string,
    @Body() dto: AdjustCreditsDto,
    @IdempotencyKey() key?: string,
  ): Promise<AdminCreditResultDto> {
    return AdminCreditResultDto.from(await this.credits.adjust(admin, userId, dto, key));
  }

  /** Admins: balance, available, active holds, the 20 latest ledger rows. */
  @Get('users/:id/credits')
  @ApiOperation({ summary: "A user's balance, available credits, active holds, recent rows" })
  @ApiOkResponse({ type: UserCreditsDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  async userCredits(@Param('id', ParseUUIDPipe) userId: string): Promise<UserCreditsDto> {
    const { balance, holds, recent } = await this.credits.userCredits(userId);
    return UserCreditsDto.from(balance, holds, recent);
  }

  /** Admins: the ledger across users, newest first; `format=csv` streams every matching row. */
  @Get('transactions')
  @ApiOperation({
    summary: 'Search the ledger (keyset pages), or export it as CSV with format=csv',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'JSON {items, next_cursor}, or with format=csv text/csv of every matching row.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(LedgerRowPageDto) } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiExtraModels(LedgerRowPageDto)
  async transactions(
    @Query() query: TransactionsQueryDto,
  ): Promise<LedgerRowPageDto | StreamableFile> {
    const filter = {
      userId: query.user_id,
      service: query.service,
      type: query.type,
      from: optionalDate(query.from),
      to: optionalDate(query.to),
    };
    if (query.format === 'csv') return this.credits.exportTransactions(filter);
    const page = await this.credits.transactions(
      filter,
      query.limit ?? DEFAULT_LIMIT,
      query.cursor,
    );
    return LedgerRowPageDto.from(page);
  }

  /** Admins: refunds all or part of any deduction, under the ledger's refund rules. */
  @Post('transactions/:id/refund')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Refund a deduction (all of it, or `amount`); never beyond it' })
  @ApiNotFoundResponse({ description: 'No deduction with this id.' })
  @ApiConflictResponse({
    description: 'Refunds would exceed the deduction, or an idempotent copy is still running.',
  })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with another body.' })
  @ApiOkResponse({ type: RefundResultDto })
  async refund(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) transactionId: string,
    @Body() dto: AdminRefundDto,
    @IdempotencyKey() key?: string,
  ): Promise<RefundResultDto> {
    return RefundResultDto.from(await this.credits.refund(admin, transactionId, dto, key));
  }

  /** Admins: credits spent and added, rows and users per day, service, model or user. */
  @Get('usage')
  @ApiOperation({
    summary: 'Usage analytics: {key, credits_spent, credits_added, transactions, users} per group',
    description:
      'credits_spent = deductions and chat less their refunds; credits_added = sign-up, top-ups, promos and adjustments. Days are UTC. At most 366 days per request.',
  })
  @ApiOkResponse({ type: [UsageRowDto] })
  async usage(@Query() query: UsageQueryDto): Promise<UsageRowDto[]> {
    const rows = await this.credits.usage({
      groupBy: query.group_by,
      from: optionalDate(query.from),
      to: optionalDate(query.to),
      userId: query.user_id,
    });
    return rows.map((row) => UsageRowDto.from(row));
  }
}
