import { Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { createClient, createKeyv } from '@keyv/redis';
import { Keyv } from 'keyv';
import { AppConfig } from '../config/app-config';
import { RedisConnection } from './redis-connection';

/**
 * Redis when REDIS_URL is set, else process memory. The cache only ever holds copies: a miss (or
 * Redis being down) falls back to PostgreSQL, so losing Redis loses no data.
 */
type RedisClient = { isOpen: boolean; destroy(): void };

function buildCacheStore(config: AppConfig): { keyv: Keyv; client?: RedisClient } {
  if (!config.redis.url) return { keyv: new Keyv() };
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
  let reportedDown = false;
  keyv.on('error', (error: Error) => {
    if (!reportedDown)
      logger.warn(`Redis cache unavailable, serving from PostgreSQL: ${error.message}`);
    reportedDown = true;
  });
  client.on('ready', () => (reportedDown = false));
  return { keyv, client };
}

@Injectable()
class CacheStore implements OnApplicationShutdown {
  readonly keyv: Keyv;
  private readonly client?: RedisClient;

  constructor(config: AppConfig) {
    ({ keyv: this.keyv, client: this.client } = buildCacheStore(config));
  }

  onApplicationShutdown(): void {
    // Forced: a client still trying to reach a Redis that never answered would keep reconnecting.
    if (this.client?.isOpen) this.client.destroy();
  }
}

@Global()
@Module({
  imports: [
    NestCacheModule.registerAsync({
      extraProviders: [CacheStore],
      inject: [CacheStore],
      useFactory: (store: CacheStore) => ({ stores: [store.keyv] }),
    }),
  ],
  providers: [RedisConnection],
  exports: [NestCacheModule, RedisConnection],
})
export class CacheModule {}
