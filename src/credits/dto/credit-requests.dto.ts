import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/http/page-query.dto';
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
