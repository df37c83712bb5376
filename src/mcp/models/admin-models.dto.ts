import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { AcceptsLegacyNames } from '../../common/http/legacy-names';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';

const PRICE = /^\d{1,8}(\.\d{1,6})?$/;
const PRICE_MESSAGE = '$property must be a decimal string with at most 8 digits and 6 decimals';
const MODEL_ID = /^[A-Za-z0-9._:/-]{1,64}$/;

/** The camelCase names of the first release, accepted until the next (CHANGELOG.md). */
const LEGACY_MODEL_NAMES = {
  upstreamModel: 'upstream_model',
  inputPricePer1k: 'input_price_per_1k',
  outputPricePer1k: 'output_price_per_1k',
  maxOutputTokens: 'max_output_tokens',
};

/** A whole model (PUT creates or replaces it). */
@AcceptsLegacyNames(LEGACY_MODEL_NAMES)
export class PutModelDto {
  @ApiProperty({ example: 'GPT-4o mini' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: ['openai', 'anthropic'] })
  @IsIn(['openai', 'anthropic'])
  provider!: 'openai' | 'anthropic';

  @ApiProperty({ example: 'gpt-4o-mini', description: 'The provider’s own model id' })
  @IsString()
  @Length(1, 100)
  upstream_model!: string;

  @ApiProperty({ example: '0.015', description: 'Credits per 1,000 input tokens' })
  @Matches(PRICE, { message: PRICE_MESSAGE })
  input_price_per_1k!: string;

  @ApiProperty({ example: '0.06', description: 'Credits per 1,000 output tokens' })
  @Matches(PRICE, { message: PRICE_MESSAGE })
  output_price_per_1k!: string;

  @ApiProperty({ example: 16384 })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  max_output_tokens!: number;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'claude-haiku-4-5' })
  @IsOptional()
  @Matches(MODEL_ID)
  fallback?: string | null;

  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;
}

/** Some fields of an existing model (prices, switch, fallback…). */
@AcceptsLegacyNames(LEGACY_MODEL_NAMES)
export class PatchModelDto extends PartialType(PutModelDto) {}
