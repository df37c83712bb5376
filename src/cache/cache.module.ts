import { Global, Logger, Module } from '@nestjs/common';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import { Keyv } from 'keyv';
import { AppConfig } from '../config/app-config';
import { RedisConnection } from './redis-connection';

/**
 * Redis when REDIS_URL is set, else process memory. The cache only ever holds copies: a miss (or
 * Redis being down) falls back to PostgreSQL, so losing Redis loses no data.
 */
function buildCacheStore(config: AppConfig): Keyv {
  if (!config.redis.url) return new Keyv();
  const logger = new Logger('Cache');
  const keyv = createKeyv(
    {
      url: config.redis.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (retries: number) => Math.min(retries * 200, 2000),
      },
    },
    {
      namespace: `${config.redis.keyPrefix}cache`,
      throwOnConnectError: false,
      throwOnErrors: false,
    },
  );
  let reportedDown = false;
  keyv.on('error', (error: Error) => {
    if (!reportedDown)
      logger.warn(`Redis cache unavailable, serving from PostgreSQL: ${error.message}`);
    reportedDown = true;
  });
  return keyv;
}

@Global()
@Module({
  imports: [
    NestCacheModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ stores: [buildCacheStore(config)] }),
    }),
  ],
  providers: [RedisConnection],
  exports: [NestCacheModule, RedisConnection],
})
export class CacheModule {}
