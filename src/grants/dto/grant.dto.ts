import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, ValidateIf } from 'class-validator';
import type { GrantRecord } from '../grant';
import { capText } from '../grants.service';

const AMOUNT = /^\d{1,16}(\.\d{1,4})?$/;
const AMOUNT_MESSAGE = 'must be a decimal amount with up to 4 decimals, or null';

/** One grant as the user and admins see it. */
export class GrantDto {
  @ApiProperty({ type: String, format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid' }) user_id!: string;
  @ApiProperty({ enum: ['oauth', 'integration'] }) client_type!: string;
  @ApiProperty({ description: 'OAuth client_id, or the integration key name' }) client_id!: string;
  @ApiProperty({ description: 'The app as the user knows it' }) client_name!: string;
  @ApiProperty({ type: [String] }) scopes!: string[];
  @ApiProperty({ enum: ['day', 'month'] }) period!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '50',
    description: 'Credits per period; null: none',
  })
  period_cap!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Credits in all; null: none' })
  total_cap!: string | null;
  @ApiProperty({ example: '12.5', description: 'Spent in the current period' })
  spent_this_period!: string;
  @ApiProperty({ description: 'Reserved by unsettled holds' }) held!: string;
  @ApiProperty() total_spent!: string;
  @ApiProperty({ enum: ['consent', 'implicit', 'admin'] }) source!: string;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revoked_at!: string | null;

  static from(grant: GrantRecord): GrantDto {
    return Object.assign(new GrantDto(), {
      id: grant.id,
      user_id: grant.userId,
      client_type: grant.clientType,
      client_id: grant.clientId,
      client_name: grant.clientName,
      scopes: grant.scopes,
      period: grant.period,
      period_cap: capText(grant.periodCap),
      total_cap: capText(grant.totalCap),
      spent_this_period: capText(grant.periodSpent)!,
      held: capText(grant.held)!,
      total_spent: capText(grant.totalSpent)!,
      source: grant.source,
      created_at: grant.createdAt.toISOString(),
      last_used_at: grant.lastUsedAt?.toISOString() ?? null,
      expires_at: grant.expiresAt?.toISOString() ?? null,
      revoked_at: grant.revokedAt?.toISOString() ?? null,
    });
  }
}

export class GrantListDto {
  @ApiProperty({ type: [GrantDto] }) items!: GrantDto[];

  static from(grants: GrantRecord[]): GrantListDto {
    return Object.assign(new GrantListDto(), { items: grants.map((g) => GrantDto.from(g)) });
  }
}

/** New caps; a field left out keeps its value, null removes that cap. */
export class UpdateGrantDto {
  @ApiPropertyOptional({ enum: ['day', 'month'] })
  @IsOptional()
  @IsIn(['day', 'month'])
  period?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '25' })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @Matches(AMOUNT, { message: `period_cap ${AMOUNT_MESSAGE}` })
  period_cap?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '200' })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @Matches(AMOUNT, { message: `total_cap ${AMOUNT_MESSAGE}` })
  total_cap?: string | null;
}

/** An admin's grant for a user. */
export class CreateGrantDto extends UpdateGrantDto {
  @ApiProperty({ type: String, format: 'uuid' }) @IsUUID() user_id!: string;
  @ApiProperty({ enum: ['oauth', 'integration'] })
  @IsIn(['oauth', 'integration'])
  client_type!: 'oauth' | 'integration';
  @ApiProperty() @IsString() @Matches(/^[\x21-\x7e]{1,512}$/) client_id!: string;
  @ApiProperty({ type: [String], example: ['credits:read', 'credits:spend'] })
  @IsString({ each: true })
  @Matches(/^[a-z:_]{1,64}$/, { each: true })
  scopes!: string[];
}

export class ListGrantsQueryDto {
  @ApiPropertyOptional({ type: String, format: 'uuid' }) @IsOptional() @IsUUID() user_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() client_id?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  include_revoked?: string;
}
