import { ApiProperty } from '@nestjs/swagger';
import { CREDIT_TRANSACTION_TYPES } from '../credit-types';

export class ActivityRowDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CREDIT_TRANSACTION_TYPES }) type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'chat' }) service!: string | null;
  @ApiProperty({ example: '-1.5', description: 'Signed decimal: negative spends' })
  amount!: string;
  @ApiProperty({ example: '100' }) balance_before!: string;
  @ApiProperty({ example: '98.5' }) balance_after!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  refunds_transaction_id!: string | null;
  @ApiProperty({ example: 'user:…' }) actor!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ActivityPageDto {
  @ApiProperty({ type: [ActivityRowDto] }) items!: ActivityRowDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for older rows' })
  next_cursor!: string | null;
}

export class MyUsageRowDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The day (YYYY-MM-DD, UTC), service or model; null when not recorded',
  })
  key!: string | null;
  @ApiProperty({ example: '12.5' }) credits_spent!: string;
  @ApiProperty({ example: '100' }) credits_added!: string;
  @ApiProperty() transactions!: number;
}
