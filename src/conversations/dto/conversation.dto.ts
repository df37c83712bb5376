import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class RenameConversationDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Trip to Chiang Mai' })
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title!: string;
}

export class ConversationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'From the first message unless renamed.' }) title!: string;
  @ApiProperty({ description: 'The model of the latest answer (or the one first asked for).' })
  model!: string;
  @ApiProperty({
    description: 'Credits charged for all its answers, a decimal string.',
    example: '0.42',
  })
  total_cost!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class ConversationPageDto {
  @ApiProperty({ type: [ConversationDto], description: 'Most recently updated first.' })
  conversations!: ConversationDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null at the end.',
  })
  next_cursor!: string | null;
}

export class ConversationMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['system', 'user', 'assistant'] }) role!: 'system' | 'user' | 'assistant';
  @ApiProperty({ description: 'For an answer: the text delivered (part of it when cancelled).' })
  content!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The model that answered.' })
  model!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Input tokens charged (answers).' })
  input_tokens!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Output tokens charged (answers).' })
  output_tokens!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Credits charged (answers).' })
  cost!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ledger row that charged this answer (kept when the conversation is deleted).',
  })
  transaction_id!: string | null;
  @ApiProperty({ enum: ['complete', 'cancelled', 'failed'] })
  status!: 'complete' | 'cancelled' | 'failed';
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ConversationWithMessagesDto extends ConversationDto {
  @ApiProperty({ type: [ConversationMessageDto], description: 'Oldest first.' })
  messages!: ConversationMessageDto[];
}
