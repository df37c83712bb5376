import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { RedisGuard, RedisUnavailableError } from './redis-guard';

/**
 * The shared ioredis connection (rate limits, readiness, stream slots, Socket.IO fan-out), or
 * none when REDIS_URL is unset. Commands fail fast while Redis is away instead of queueing, and
 * `run` gives each call REDIS_COMMAND_TIMEOUT, so callers fall back to in-process state and
 * PostgreSQL whether Redis is down or frozen.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis | null;
  readonly keyPrefix: string;
  private readonly guard: RedisGuard | null;

  constructor(config: AppConfig) {
    this.keyPrefix = config.redis.keyPrefix;
    const timeoutMs = config.redis.commandTimeoutMs;
    const client = config.redis.url
      ? new Redis(config.redis.url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          disconnectTimeout: 200,
          connectionName: 'smart-ai-hub',
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        })
      : null;
    this.client = client;
    this.guard = client
      ? new RedisGuard(RedisConnection.name, timeoutMs, () => client.ping())
      : null;
    let reportedDown = false;
    client?.on('error', (error: Error) => {
      if (!reportedDown) this.logger.warn(`Redis unavailable: ${error.message}`);
      reportedDown = true;
    });
    client?.on('close', () => this.guard?.lost());
    client?.on('ready', () => {
      if (reportedDown) this.logger.log('Redis connection restored');
      reportedDown = false;
      this.guard?.recovered();
    });
  }

  get configured(): boolean {
    return this.client !== null;
  }

  /** Connected and answering in time (not tripped by a timeout since). */
  get ready(): boolean {
    return this.client?.status === 'ready' && this.guard!.healthy;
  }

  /** Calls `listener` each time Redis answers again after an outage or a timeout. */
  onRecovered(listener: () => void): void {
    this.guard?.onRecovered(listener);
  }

  /**
   * One Redis call with the command deadline; rejects with RedisUnavailableError when Redis is
   * not configured, down, or did not answer within REDIS_COMMAND_TIMEOUT.
   */
  run<T>(call: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client || !this.guard) {
      return Promise.reject(new RedisUnavailableError('Redis is not configured'));
    }
    return this.guard.run(() => call(client));
  }

  async onApplicationShutdown(): Promise<void> {
    this.guard?.stop();
    if (!this.client) return;
    // QUIT only reaches a live server; otherwise stop the reconnect loop at once.
    if (this.ready) await this.client.quit().catch(() => this.client?.disconnect());
    else this.client.disconnect();
  }
}
