import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ModelsService, ModelView } from './models.service';

class ModelDto implements ModelView {
  @ApiProperty({ example: 'gpt-4o-mini' }) id!: string;
  @ApiProperty({ example: 'GPT-4o mini' }) name!: string;
  @ApiProperty({ enum: ['openai', 'anthropic'] }) provider!: string;
  @ApiProperty({ example: '0.015', description: 'Credits per 1,000 input tokens' })
  inputPricePer1k!: string;
  @ApiProperty({ example: '0.06', description: 'Credits per 1,000 output tokens' })
  outputPricePer1k!: string;
  @ApiProperty({ example: 16384 }) maxOutputTokens!: number;
  @ApiProperty({ nullable: true, type: String, example: 'claude-haiku-4-5' })
  fallback!: string | null;
  @ApiProperty({ description: 'False when the provider has no API key configured' })
  available!: boolean;
}

class ModelListDto {
  @ApiProperty({ type: [ModelDto] }) models!: ModelDto[];
}

/** Public: anyone may see which models exist and what they cost (no user data). */
@ApiTags('chat')
@Controller('api/mcp/v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get()
  @ApiOperation({ summary: 'Enabled chat models with prices (public)' })
  @ApiOkResponse({ type: ModelListDto })
  async list(): Promise<ModelListDto> {
    return { models: await this.models.list() };
  }
}
