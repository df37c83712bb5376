import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { RedisConnection } from '../cache/redis-connection';
import { DomainError } from '../common/errors/domain-error';
import { RedisHealthIndicator } from './redis.health';

export class NotReadyError extends DomainError {
  readonly kind = 'unavailable';
}

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly redisConnection: RedisConnection,
  ) {}

  /** PostgreSQL always; Redis only when configured. A failed dependency is named in the 503. */
  async readiness(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: 2000 }),
    ];
    if (this.redisConnection.configured) checks.push(() => this.redis.check('redis'));
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const failed = Object.keys(result.error ?? {});
      throw new NotReadyError(`Not ready: ${failed.join(', ')} unavailable`, {
        failed,
        checks: result.details,
      });
    }
  }
}
