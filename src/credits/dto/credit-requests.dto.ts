import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { CREDIT_TRANSACTION_TYPES } from '../credit-types';
import type { CreditTransactionType } from '../credit-types';
import { IsCreditAmount } from './credit-amount.validator';

const SERVICE_DOC = { example: 'sora2-video-generation', minLength: 1, maxLength: 100 };
const METADATA_DOC = {
  type: 'object',
  additionalProperties: true,
  description: 'JSON object of at most 8 KB, stored on the ledger row.',
  example: { videoId: 'a1b2', duration: 60, resolution: '1080p' },
} as const;

export class CheckCreditsDto {
  @ApiProperty(SERVICE_DOC)
  @IsString()
  @Length(1, 100)
  service!: string;

  @IsCreditAmount({ description: 'Credits the service is about to cost.' })
  cost!: number | string;
}

export class DeductCreditsDto extends CheckCreditsDto {
  @ApiPropertyOptional(METADATA_DOC)
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class RefundCreditsDto {
  @ApiProperty({ format: 'uuid', description: 'The deduction to refund.' })
  @IsUUID()
  transaction_id!: string;

  @IsOptional()
  @IsCreditAmount({ required: false, description: 'Partial refund; the rest of it when omitted.' })
  amount?: number | string;

  @ApiProperty({ example: 'video generation failed', minLength: 1, maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class CreateHoldDto {
  @ApiProperty(SERVICE_DOC)
  @IsString()
  @Length(1, 100)
  service!: string;

  @IsCreditAmount({ description: 'Credits to reserve.' })
  amount!: number | string;

  @ApiPropertyOptional({
    description: 'Lifetime of the hold; CREDIT_HOLD_DEFAULT_TTL when omitted.',
    example: 600,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31_536_000)
  ttl_seconds?: number;

  @ApiPropertyOptional(METADATA_DOC)
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class CaptureHoldDto {
  @IsCreditAmount({ description: 'Actual cost, at most the reserved amount.' })
  amount!: number | string;

  @ApiPropertyOptional(METADATA_DOC)
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class TransactionsQueryDto extends PageQueryDto {}

export class RedeemPromoCodeDto {
  @ApiProperty({ example: 'WELCOME-7KQ9' })
  @IsString()
  @Length(1, 64)
  code!: string;
}

/** Which ledger rows: by type, service and date range (a user's own, or an operator's search). */
export class LedgerFilterQueryDto {
  @ApiPropertyOptional({ enum: CREDIT_TRANSACTION_TYPES })
  @IsOptional()
  @IsIn(CREDIT_TRANSACTION_TYPES)
  type?: CreditTransactionType;

  @ApiPropertyOptional({ example: 'sora2-video-generation' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  service?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, inclusive', example: '2026-05-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive', example: '2026-06-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** The signed-in user's own ledger rows, filtered; the same filter downloads them as CSV. */
export class MyActivityQueryDto extends IntersectionType(
  TransactionsQueryDto,
  LedgerFilterQueryDto,
) {}

export class MyUsageQueryDto {
  @ApiProperty({ enum: [7, 30, 90], description: 'The last 7, 30 or 90 days' })
  @Type(() => Number)
  @IsIn([7, 30, 90])
  days!: 7 | 30 | 90;

  @ApiProperty({ enum: ['day', 'service', 'model'] })
  @IsIn(['day', 'service', 'model'])
  group_by!: 'day' | 'service' | 'model';
}
