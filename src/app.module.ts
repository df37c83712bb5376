import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { DestinationStream } from 'pino';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { CacheModule } from './cache/cache.module';
import { RedisConnection } from './cache/redis-connection';
import { AuditModule } from './common/audit/audit.module';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter';
import { LoggingModule } from './common/logging/logging.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ResilientThrottlerStorage } from './rate-limit/resilient-throttler-storage';
import { Clock } from './common/time/clock';
import { TimeModule } from './common/time/time.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { CreditsModule } from './credits/credits.module';
import { DatabaseModule } from './database/database.module';
import { GoogleLoginModule } from './google-login/google-login.module';
import { HealthModule } from './health/health.module';
import { IntegrationKeysModule } from './integration-keys/integration-keys.module';
import { ConversationsModule } from './conversations/conversations.module';
import { McpModule } from './mcp/mcp.module';
import { MetricsModule } from './metrics/metrics.module';
import { GrantsModule } from './grants/grants.module';
import { CimdNetwork } from './oauth/cimd-network';
import { CimdNetworkModule } from './oauth/cimd-network.module';
import { OAuthModule } from './oauth/oauth.module';
import { SessionModule } from './session/session.module';
import { WebAppModule } from './web/web-app.module';

export interface AppModuleOptions {
  /** Where JSON logs go; stdout when unset. Tests pass a stream to read what was logged. */
  logDestination?: DestinationStream;
  /** The clock every expiry reads; the system clock when unset. Tests pass one they can move. */
  clock?: Clock;
  /** Where Client ID Metadata Documents may come from; the public internet when unset. */
  cimdNetwork?: CimdNetwork;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        TimeModule.forRoot(options.clock),
        CimdNetworkModule.forRoot(options.cimdNetwork),
        LoggingModule.forRoot(config.logLevel, options.logDestination),
        DatabaseModule,
        CacheModule,
        RateLimitModule,
        AuditModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, RedisConnection],
          useFactory: (cfg: AppConfig, redis: RedisConnection) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: cfg.rateLimitPerMinute }],
            storage: new ResilientThrottlerStorage(redis),
          }),
        }),
        HealthModule,
        MetricsModule,
        AuthModule,
        IntegrationKeysModule,
        SessionModule,
        GrantsModule,
        GoogleLoginModule,
        CreditsModule,
        ConversationsModule,
        OAuthModule,
        McpModule,
        AdminModule,
        // Last: its catch-all GET serves the web app for any path no other route took.
        WebAppModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
