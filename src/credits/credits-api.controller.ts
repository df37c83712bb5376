import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPaymentRequiredResponse,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { CreditCaller } from './callers/credit-caller';
import { Caller, IdempotencyKey } from './callers/credit-caller.decorators';
import { CreditCallerGuard } from './callers/credit-caller.guard';
import { RequireScope } from '../integration-keys/integration-key.guard';
import { CreditHoldsService } from './credit-holds.service';
import { CreditLedgerService } from './credit-ledger.service';
import {
  CaptureHoldDto,
  CheckCreditsDto,
  CreateHoldDto,
  DeductCreditsDto,
  RefundCreditsDto,
} from './dto/credit-requests.dto';
import {
  CaptureResultDto,
  CheckResultDto,
  DeductResultDto,
  GrantLimitErrorDto,
  HoldDto,
  InsufficientCreditsErrorDto,
  RefundResultDto,
  ReleaseResultDto,
} from './dto/credit-responses.dto';

/** A spending move: the balance's 402, or the grant's (an app acting under a spending grant). */
const SPEND_REFUSED = {
  description:
    "Not enough credits (`Insufficient credits`), or the grant's cap (`Grant limit reached`).",
  schema: {
    oneOf: [
      { $ref: getSchemaPath(InsufficientCreditsErrorDto) },
      { $ref: getSchemaPath(GrantLimitErrorDto) },
    ],
  },
};

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Replays the first response (status and body) for the same key and body, without a second charge; a different body → 422; a copy still in progress → waits, then replays (or 409).',
};

/**
 * The credit API for integrations such as the Sora2 backend. Who may call: an integration key
 * (`X-API-Key` with the route's scope, acting for `X-User-ID`) or the user's own
 * `X-Session-Token`. Rate-limited per integration key, not per IP.
 */
@ApiExtraModels(InsufficientCreditsErrorDto, GrantLimitErrorDto)
@ApiTags('credits (integrations)')
@ApiSecurity('api-key')
@ApiSecurity('session-token')
@ApiBearerAuth()
@ApiHeader({ name: 'X-User-ID', required: false, description: 'Required with X-API-Key.' })
@ApiUnauthorizedResponse({ description: 'Neither X-API-Key nor X-Session-Token, or invalid.' })
@ApiForbiddenResponse({
  description: 'Key without the scope, X-User-ID not the session user, or user disabled.',
})
@ApiBadRequestResponse({ description: 'Bad body, bad amount or X-User-ID not a UUID.' })
@ApiNotFoundResponse({ description: 'Unknown user (or transaction/hold of this caller).' })
@ApiTooManyRequestsResponse({ description: 'INTEGRATION_RATE_LIMIT_PER_MINUTE exceeded.' })
@SkipThrottle()
@UseGuards(CreditCallerGuard)
@Controller('api/mcp/v1/credits')
export class CreditsApiController {
  constructor(
    private readonly ledger: CreditLedgerService,
    private readonly holds: CreditHoldsService,
  ) {}

  /** Integration key with `credits:check`, or the user's session. */
  @Post('check')
  @HttpCode(200)
  @RequireScope('credits:check')
  @ApiOperation({ summary: 'Is `cost` available? (balance minus active holds)' })
  @ApiOkResponse({ type: CheckResultDto })
  @ApiPaymentRequiredResponse({ type: InsufficientCreditsErrorDto })
  async check(
    @Caller() caller: CreditCaller,
    @Body() dto: CheckCreditsDto,
  ): Promise<CheckResultDto> {
    return CheckResultDto.from(await this.ledger.check(caller, dto));
  }

  /** Integration key with `credits:deduct`, or the user's session. */
  @Post('deduct')
  @HttpCode(200)
  @RequireScope('credits:deduct')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Charge `cost` atomically: one ledger row, once per Idempotency-Key' })
  @ApiOkResponse({ type: DeductResultDto })
  @ApiPaymentRequiredResponse(SPEND_REFUSED)
  @ApiConflictResponse({ description: 'A copy with this Idempotency-Key is still in progress.' })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with another body.' })
  async deduct(
    @Caller() caller: CreditCaller,
    @Body() dto: DeductCreditsDto,
    @IdempotencyKey() key?: string,
  ): Promise<DeductResultDto> {
    return DeductResultDto.from(await this.ledger.deduct(caller, dto, key));
  }

  /** Integration key with `credits:refund` (only its own deductions), or the user's session. */
  @Post('refund')
  @HttpCode(200)
  @RequireScope('credits:refund')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Refund all or part of a deduction this caller made for this user' })
  @ApiOkResponse({ type: RefundResultDto })
  @ApiConflictResponse({ description: 'Refunds would exceed the original deduction.' })
  async refund(
    @Caller() caller: CreditCaller,
    @Body() dto: RefundCreditsDto,
    @IdempotencyKey() key?: string,
  ): Promise<RefundResultDto> {
    const result = await this.ledger.refund(
      caller,
      { transactionId: dto.transaction_id, amount: dto.amount, reason: dto.reason },
      key,
    );
    return RefundResultDto.from(result);
  }

  /** Integration key with `credits:deduct`, or the user's session. */
  @Post('holds')
  @RequireScope('credits:deduct')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Reserve credits for work in progress (expires after ttl_seconds)' })
  @ApiCreatedResponse({ type: HoldDto })
  @ApiPaymentRequiredResponse(SPEND_REFUSED)
  async reserve(
    @Caller() caller: CreditCaller,
    @Body() dto: CreateHoldDto,
    @IdempotencyKey() key?: string,
  ): Promise<HoldDto> {
    const hold = await this.holds.reserve(
      {
        userId: caller.userId,
        actor: caller.actor,
        grantId: caller.grantId,
        service: dto.service,
        amount: dto.amount,
        ttlSeconds: dto.ttl_seconds,
        metadata: dto.metadata,
      },
      key,
    );
    return HoldDto.from(hold);
  }

  /** The integration key or session that created the hold, with `credits:deduct`. */
  @Post('holds/:id/capture')
  @HttpCode(200)
  @RequireScope('credits:deduct')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Charge the actual amount (≤ reserved) of a hold; frees the rest' })
  @ApiOkResponse({ type: CaptureResultDto })
  @ApiConflictResponse({ description: 'Hold captured, released or expired; or amount > held.' })
  async capture(
    @Caller() caller: CreditCaller,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CaptureHoldDto,
    @IdempotencyKey() key?: string,
  ): Promise<CaptureResultDto> {
    const result = await this.holds.capture(
      id,
      { amount: dto.amount, metadata: dto.metadata, owner: caller },
      key,
    );
    return CaptureResultDto.from(result);
  }

  /** The integration key or session that created the hold, with `credits:deduct`. */
  @Post('holds/:id/release')
  @HttpCode(200)
  @RequireScope('credits:deduct')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOperation({ summary: 'Free a hold without charging (no ledger row)' })
  @ApiOkResponse({ type: ReleaseResultDto })
  @ApiConflictResponse({ description: 'The hold was already captured.' })
  async release(
    @Caller() caller: CreditCaller,
    @Param('id', ParseUUIDPipe) id: string,
    @IdempotencyKey() key?: string,
  ): Promise<ReleaseResultDto> {
    return ReleaseResultDto.from(await this.holds.release(id, { owner: caller }, key));
  }
}
