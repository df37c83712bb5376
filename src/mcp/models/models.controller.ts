import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminModelView, ModelsService, ModelView } from './models.service';

export class ModelDto {
  @ApiProperty({ example: 'gpt-4o-mini' }) id!: string;
  @ApiProperty({ example: 'GPT-4o mini' }) name!: string;
  @ApiProperty({ enum: ['openai', 'anthropic'] }) provider!: string;
  @ApiProperty({ example: '0.015', description: 'Credits per 1,000 input tokens' })
  input_price_per_1k!: string;
  @ApiProperty({ example: '0.06', description: 'Credits per 1,000 output tokens' })
  output_price_per_1k!: string;
  @ApiProperty({ example: 16384 }) max_output_tokens!: number;
  @ApiProperty({ nullable: true, type: String, example: 'claude-haiku-4-5' })
  fallback!: string | null;
  @ApiProperty({ description: 'False when the provider has no API key configured' })
  available!: boolean;

  static from(view: ModelView): ModelDto {
    return {
      id: view.id,
      name: view.name,
      provider: view.provider,
      input_price_per_1k: view.input_price_per_1k,
      output_price_per_1k: view.output_price_per_1k,
      max_output_tokens: view.max_output_tokens,
      fallback: view.fallback,
      available: view.available,
    };
  }
}

/** A model as operators see it: also disabled ones, and which upstream model it calls. */
export class AdminModelDto extends ModelDto {
  @ApiProperty({ example: 'gpt-4o-mini', description: 'The provider’s own model id' })
  upstream_model!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;

  static fromAdmin(view: AdminModelView): AdminModelDto {
    return {
      ...ModelDto.from(view),
      upstream_model: view.upstream_model,
      enabled: view.enabled,
      updated_at: view.updated_at,
    };
  }
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
    return { models: (await this.models.list()).map((model) => ModelDto.from(model)) };
  }
}
