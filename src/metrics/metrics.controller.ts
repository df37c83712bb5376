import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

class MetricsOffError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('Metrics are off: set METRICS_TOKEN to scrape /metrics');
  }
}

class MetricsTokenError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('Send Authorization: Bearer <METRICS_TOKEN>');
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Prometheus scrapes with `Authorization: Bearer <METRICS_TOKEN>` (S-16: the route counts and
 * latencies are not for the public). Without METRICS_TOKEN the route is off.
 */
@ApiExcludeController()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  }

  @Get()
  render(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!this.expected) throw new MetricsOffError();
    const match = /^bearer\s+(\S+)$/i.exec(authorization ?? '');
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) throw new MetricsTokenError();
    res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return this.metrics.render();
  }
}
