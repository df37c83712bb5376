import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { createClient, createKeyv } from '@keyv/redis';
import { Keyv } from 'keyv';
import { AppConfig } from '../config/app-config';
import { RedisConnection } from './redis-connection';
import { RedisGuard } from './redis-guard';

/**
 * Redis when REDIS_URL is set, else process memory. The cache only ever holds copies: a miss (or
 * Redis being down, or slower than REDIS_COMMAND_TIMEOUT) falls back to PostgreSQL, so losing
 * Redis loses no data.
 */
type RedisClient = { isOpen: boolean; destroy(): void };

const STORE_METHODS = [
  'get',
  'getMany',
  'set',
  'setMany',
  'delete',
  'deleteMany',
  'has',
  'hasMany',
];

/** Every call Keyv makes to the Redis store goes through the guard (deadline + breaker). */
function guardStore(store: object, guard: RedisGuard): void {
  const methods = store as Record<string, unknown>;
  for (const name of STORE_METHODS) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    const call = (original as (...args: unknown[]) => Promise<unknown>).bind(store);
    methods[name] = (...args: unknown[]) => guard.run(() => call(...args));
  }
}

function buildCacheStore(
  config: AppConfig,
  guard: RedisGuard | null,
): { keyv: Keyv; client?: RedisClient } {
  if (!config.redis.url || !guard) return { keyv: new Keyv() };
  const logger = new Logger('Cache');
  const client = createClient({
    url: config.redis.url,
    name: 'smart-ai-hub-cache',
    // Fail fast while Redis is away (a miss, then PostgreSQL) instead of queueing or hanging.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(retries * 200, 2000) },
  });
  // Connected eagerly: Keyv would otherwise await a first connection that may never come.
  client.connect().catch(() => undefined);
  const keyv = createKeyv(client, {
    namespace: `${config.redis.keyPrefix}cache`,
    throwOnConnectError: false,
    throwOnErrors: false,
  });
  guardStore(keyv.store as object, guard);
  let reportedDown = false;
  keyv.on('error', (error: Error) => {
    if (!reportedDown)
      logger.warn(`Redis cache unavailable, serving from PostgreSQL: ${error.message}`);
    reportedDown = true;
  });
  client.on('error', () => guard.lost());
  client.on('ready', () => {
    reportedDown = false;
    guard.recovered();
  });
  return { keyv, client };
}

/**
 * The cache's store and, with Redis, the breaker that knows when the cache can be trusted: the
 * Redis server's one breaker (RedisConnection.guard), so a timeout of the rate limiter's client
 * stops the cache's calls too, and the other way round.
 */
@Injectable()
export class CacheStore implements OnApplicationShutdown {
  readonly keyv: Keyv;
  /** Unset without Redis (process memory is never lost while the process lives). */
  readonly guard?: RedisGuard;
  private readonly client?: RedisClient;

  constructor(config: AppConfig, connection: RedisConnection) {
    this.guard = connection.guard ?? undefined;
    ({ keyv: this.keyv, client: this.client } = buildCacheStore(config, connection.guard));
  }

  onApplicationShutdown(): void {
    // The guard first: any store call after the client closed would open it again.
    this.guard?.stop();
    // Forced: a client still trying to reach a Redis that never answered would keep reconnecting.
    if (this.client?.isOpen) this.client.destroy();
  }
}

/**
 * One CacheStore for both the cache manager and its direct users (one Redis client), and one
 * RedisConnection (whose breaker the store shares).
 */
@Module({ providers: [RedisConnection, CacheStore], exports: [RedisConnection, CacheStore] })
class CacheStoreModule {}

@Global()
@Module({
  imports: [
    CacheStoreModule,
    NestCacheModule.registerAsync({
      imports: [CacheStoreModule],
      inject: [CacheStore],
      useFactory: (store: CacheStore) => ({ stores: [store.keyv] }),
    }),
  ],
  exports: [NestCacheModule, CacheStoreModule],
})
export class CacheModule {}
