import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

/**
 * The shared ioredis connection (rate limits, readiness, later Socket.IO fan-out), or none when
 * REDIS_URL is unset. Commands fail fast while Redis is away instead of queueing, so callers can
 * fall back to in-process state and PostgreSQL.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis | null;
  readonly keyPrefix: string;

  constructor(config: AppConfig) {
    this.keyPrefix = config.redis.keyPrefix;
    this.client = config.redis.url
      ? new Redis(config.redis.url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          disconnectTimeout: 200,
          connectionName: 'smart-ai-hub',
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        })
      : null;
    let reportedDown = false;
    this.client?.on('error', (error: Error) => {
      if (!reportedDown) this.logger.warn(`Redis unavailable: ${error.message}`);
      reportedDown = true;
    });
    this.client?.on('ready', () => {
      if (reportedDown) this.logger.log('Redis connection restored');
      reportedDown = false;
    });
  }

  get configured(): boolean {
    return this.client !== null;
  }

  get ready(): boolean {
    return this.client?.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    // QUIT only reaches a live server; otherwise stop the reconnect loop at once.
    if (this.ready) await this.client.quit().catch(() => this.client?.disconnect());
    else this.client.disconnect();
  }
}
