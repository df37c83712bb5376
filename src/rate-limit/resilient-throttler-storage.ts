import { Injectable } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { RedisConnection } from '../cache/redis-connection';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters in Redis (shared by every instance) when it is configured and reachable,
 * else in process memory: an outage of Redis loosens limits to per-instance, it never fails requests.
 */
@Injectable()
export class ResilientThrottlerStorage implements ThrottlerStorage {
  private readonly memory = new ThrottlerStorageService();
  private readonly redis: ThrottlerStorageRedisService | null;

  constructor(private readonly connection: RedisConnection) {
    this.redis = connection.client ? new ThrottlerStorageRedisService(connection.client) : null;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (this.redis && this.connection.ready) {
      try {
        const prefixed = `${this.connection.keyPrefix}rl:${key}`;
        const redis = this.redis;
        return await this.connection.run(() =>
          redis.increment(prefixed, ttl, limit, blockDuration, throttlerName),
        );
      } catch {
        // Redis dropped mid-call: count this hit locally rather than failing the request.
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.memory.onApplicationShutdown();
  }
}
