import { Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { Counter } from 'prom-client';
import { within } from '../common/time/within';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { RedisGuard, RedisGuardStats, RedisUnavailableError } from './redis-guard';

/**
 * The shared ioredis connection (rate limits, readiness, Socket.IO fan-out), or
 * none when REDIS_URL is unset, and the ONE breaker of the Redis server (`guard`), which the
 * cache's client shares (CacheStore). Commands fail fast while Redis is away instead of queueing,
 * and `run` gives each call REDIS_COMMAND_TIMEOUT, so callers fall back to in-process state and
 * PostgreSQL whether Redis is down or frozen; after one call timed out, no Redis user of the
 * process sends another until a probe answers.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis | null;
  readonly keyPrefix: string;
  /** The breaker of the Redis server, shared by every client of it in the process. */
  readonly guard: RedisGuard | null;

  constructor(config: AppConfig, @Optional() metrics?: MetricsService) {
    this.keyPrefix = config.redis.keyPrefix;
    const timeoutMs = config.redis.commandTimeoutMs;
    const client = config.redis.url
      ? new Redis(config.redis.url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          disconnectTimeout: 200,
          connectionName: 'smart-ai-hub',
          // Commands of one event-loop turn (a burst's chat limits and slots) go in one write;
          // see defineUnpipelinedCommand for those that stay out.
          enableAutoPipelining: true,
          autoPipeliningIgnoredCommands: [],
          retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        })
      : null;
    this.client = client;
    this.guard = client ? new RedisGuard('Redis', timeoutMs, () => client.ping()) : null;
    if (this.guard && metrics) registerBreakerMetrics(metrics, this.guard.stats);
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

  /**
   * Defines a Lua command (`client[name](…)`) sent at once rather than in the turn's pipeline:
   * ioredis keeps one pipeline in flight at a time, so a command in it also waits for the one
   * before. A caller that already batches its own calls (the integration keys' limit on the
   * money path) gains nothing from it and would only wait behind chat traffic.
   */
  defineUnpipelinedCommand(name: string, definition: { numberOfKeys: number; lua: string }): void {
    if (!this.client) return;
    this.client.defineCommand(name, definition);
    this.client.options.autoPipeliningIgnoredCommands!.push(name);
  }

  /**
   * A connection of its own for pub/sub (Socket.IO fan-out, model announcements), or null without
   * Redis. Unlike the fail-fast command connection it queues while (re)connecting, and it never
   * pipelines. Commands nobody awaits (the Socket.IO adapter's publishes and unsubscribes,
   * ioredis's resubscriptions) are caught: one still unanswered when the connection is cut at
   * shutdown must not reject unhandled. Whoever awaits a command still gets its error.
   */
  duplicateForPubSub(options: RedisOptions = {}): Redis | null {
    if (!this.client) return null;
    const client = this.client.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      // A pipelined command answers through a promise of its own, which the catch below misses.
      enableAutoPipelining: false,
      ...options,
    });
    client.on('error', () => undefined);
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command, stream) => {
      command.promise.catch(() => undefined);
      return send(command, stream);
    };
    return client;
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
    if (this.client) await closeRedisClient(this.client);
  }
}

/** How long a closing client waits for Redis to answer its QUIT (a frozen Redis never does). */
const QUIT_WAIT_MS = 1000;

/**
 * Closes an ioredis client at shutdown: QUIT when connected, so what was sent before it is
 * answered first; then cut, which also stops a reconnect loop and never waits on a frozen Redis.
 */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await within(
      client.quit().catch(() => undefined),
      QUIT_WAIT_MS,
      undefined,
    );
  }
  client.disconnect();
}

/** The breaker's counters as Prometheus counters (totals read at scrape time). */
function registerBreakerMetrics(metrics: MetricsService, stats: RedisGuardStats): void {
  const counters: [string, string, () => Record<string, number>][] = [
    [
      'redis_calls_total',
      'Redis calls by outcome: answered (in time, or failed fast), timed_out (outlived REDIS_COMMAND_TIMEOUT), refused (not sent: the breaker was open)',
      () => ({ answered: stats.answered, timed_out: stats.timedOut, refused: stats.refused }),
    ],
    [
      'redis_breaker_trips_total',
      'Times a Redis call timed out and opened the breaker shared by every Redis user',
      () => ({ opened: stats.trips }),
    ],
    [
      'redis_breaker_probes_total',
      'PINGs sent while the breaker was open (one at a time), by outcome',
      () => ({ answered: stats.probes - stats.probesFailed, failed: stats.probesFailed }),
    ],
  ];
  for (const [name, help, read] of counters) {
    new Counter({
      name,
      help,
      labelNames: ['outcome'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [outcome, total] of Object.entries(read())) this.inc({ outcome }, total);
      },
    });
  }
}
