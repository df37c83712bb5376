import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnection } from '../cache/redis-connection';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly connection: RedisConnection,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: 'redis'): Promise<HealthIndicatorResult<'redis'>> {
    const indicator = this.indicators.check(key);
    const client = this.connection.client;
    if (!client || !this.connection.ready) return indicator.down({ message: 'not connected' });
    try {
      // Through the breaker: a PING that outlives REDIS_COMMAND_TIMEOUT opens it for every user.
      await this.connection.run((c) => c.ping());
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
