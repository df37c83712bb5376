import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptions,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthService } from './health.service';

class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

const CHECKS: ApiPropertyOptions = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
  example: { database: { status: 'up' }, redis: { status: 'up' } },
};

class ReadinessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ ...CHECKS, description: 'The checks that passed' })
  info!: HealthIndicatorResult;
  @ApiProperty({ ...CHECKS, description: 'The checks that failed (none when ready)' })
  error!: HealthIndicatorResult;
  @ApiProperty({ ...CHECKS, description: 'Every check' })
  details!: HealthIndicatorResult;
}

/** Public: probed by orchestrators and load balancers; reveals no data. */
@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and (when configured) Redis answer; 503 names what failed',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ description: 'Not ready: {failed, checks} name what failed' })
  async ready(): Promise<ReadinessDto> {
    const result = await this.health.readiness();
    return {
      status: 'ok',
      info: (result.info ?? {}) as HealthIndicatorResult,
      error: (result.error ?? {}) as HealthIndicatorResult,
      details: result.details,
    };
  }
}
