import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnection } from '../cache/redis-connection';

const PING_TIMEOUT_MS = 1000;

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
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no PONG within ${PING_TIMEOUT_MS} ms`)),
          PING_TIMEOUT_MS,
        ).unref(),
      );
      await Promise.race([client.ping(), timeout]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
