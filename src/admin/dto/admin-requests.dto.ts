import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { INTEGRATION_SCOPES } from '../../integration-keys/integration-scopes';
import { IsCreditAmount } from '../../credits/dto/credit-amount.validator';
import { LedgerFilterQueryDto } from '../../credits/dto/credit-requests.dto';
import { PROMO_BATCH_MAX } from '../../credits/promo/promo-codes.service';

const REASON_DOC = { example: 'support ticket #1234', minLength: 1, maxLength: 500 };

/** `?limit=`: 1 to 500, default 50. */
class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

export class TopUpDto {
  @IsCreditAmount({ description: 'Credits to add.', example: 100 })
  amount!: number | string;

  @ApiProperty(REASON_DOC)
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class AdjustCreditsDto {
  @ApiProperty({
    oneOf: [{ type: 'number' }, { type: 'string', pattern: '^-?\\d+(\\.\\d{1,4})?$' }],
    description: 'Signed, not zero: positive adds, negative takes away (never below zero).',
    example: -25,
  })
  @IsDefined()
  amount!: number | string;

  @ApiProperty(REASON_DOC)
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class AdminRefundDto {
  @IsOptional()
  @IsCreditAmount({ required: false, description: 'Partial refund; the rest of it when omitted.' })
  amount?: number | string;

  @ApiProperty(REASON_DOC)
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class TransactionsQueryDto extends IntersectionType(PageQuery, LedgerFilterQueryDto) {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  user_id?: string;

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    description: '`csv`: every matching row (no paging), streamed as text/csv.',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class UsersQueryDto extends PageQuery {
  @ApiPropertyOptional({
    description: 'Part of the email or the name, any case',
    example: 'somchai',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ enum: ['user', 'admin'] })
  @IsOptional()
  @IsIn(['user', 'admin'])
  role?: 'user' | 'admin';

  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ['user', 'admin'] })
  @IsOptional()
  @IsIn(['user', 'admin'])
  role?: 'user' | 'admin';

  @ApiPropertyOptional({
    enum: ['active', 'disabled'],
    description: '`disabled` revokes every session and refresh token of the user at once.',
  })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}

class PromoTerms {
  @IsCreditAmount({ description: 'Credits one redemption adds.', example: 50 })
  amount!: number | string;

  @ApiProperty({ minimum: 1, example: 100 })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  max_redemptions!: number;

  @ApiPropertyOptional({ example: '2026-12-31T23:59:59Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;
}

export class CreatePromoCodeDto extends PromoTerms {
  @ApiPropertyOptional({
    description: 'Stored upper-case; generated (10 unambiguous characters) when omitted.',
    example: 'WELCOME-50',
  })
  @IsOptional()
  @IsString()
  @Length(3, 64)
  code?: string;
}

export class CreatePromoBatchDto extends PromoTerms {
  @ApiProperty({ minimum: 1, maximum: PROMO_BATCH_MAX, example: 500 })
  @IsInt()
  @Min(1)
  @Max(PROMO_BATCH_MAX)
  count!: number;

  @ApiPropertyOptional({ description: 'Put before every generated code', example: 'SPRING-' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  prefix?: string;
}

export class PromoBatchQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'Also chosen by `Accept: text/csv`.' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class PromoCodesQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  active?: 'true' | 'false';
}

export class UpdatePromoCodeDto {
  @ApiProperty()
  @IsBoolean()
  active!: boolean;
}

export class CreateApiKeyDto {
  @ApiProperty({
    description: "The integration's name: its refunds and idempotency keys are scoped to it",
    example: 'sora2',
  })
  @IsString()
  @Length(1, 64)
  name!: string;

  @ApiProperty({
    type: [String],
    enum: INTEGRATION_SCOPES,
    example: ['credits:check', 'credits:deduct'],
  })
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  scopes!: string[];

  @ApiPropertyOptional({
    enum: ['granted', 'all'],
    default: 'granted',
    description:
      '`granted`: the key acts only for users who granted its integration (a grant); `all`: for any user (first-party keys)',
  })
  @IsOptional()
  @IsIn(['granted', 'all'])
  user_scope?: 'granted' | 'all';
}

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601, inclusive; default 30 days before `to`' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive; default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiProperty({ enum: ['day', 'service', 'model', 'user'] })
  @IsIn(['day', 'service', 'model', 'user'])
  group_by!: 'day' | 'service' | 'model' | 'user';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  user_id?: string;
}

export class AuditLogQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The acting user' })
  @IsOptional()
  @IsUUID()
  actor?: string;

  @ApiPropertyOptional({ example: 'credits.topup' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  action?: string;

  @ApiPropertyOptional({ description: 'The id of what was changed (a user, key, promo code…)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  target_id?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

/** ISO 8601 query value → Date (the DTO already checked the format). */
export function optionalDate(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}
