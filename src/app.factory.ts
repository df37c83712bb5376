import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule, AppModuleOptions } from './app.module';
import { middlewareErrorHandler } from './common/http/all-exceptions.filter';
import { buildOpenApiDocument } from './common/openapi/openapi-document';
import { inputGuard } from './common/http/input-guard';
import { InputValidationPipe } from './common/http/input-validation.pipe';
import { requestIdMiddleware } from './common/http/request-id';
import { AppLogger } from './common/logging/app-logger';
import { AppConfig } from './config/app-config';
import { RedisConnection } from './cache/redis-connection';
import { HubIoAdapter } from './mcp/hub-io.adapter';
import { MetricsService } from './metrics/metrics.service';
import { OAuthServer } from './oauth/oauth-server';
import { serveWebAppFiles } from './web/web-app';

/** Routes whose bodies may exceed BODY_LIMIT (ledger metadata, operator requests). */
const LARGE_BODY_ROUTES = ['/api/mcp/v1/', '/api/admin/'];

/**
 * Builds the fully configured application without listening: main.ts and the end-to-end tests
 * run exactly the same app. `config.database.url` must already be resolved.
 */
export async function createApp(
  config: AppConfig,
  options: AppModuleOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    bufferLogs: true,
  });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');

  // Order matters: the request id first so even a body that fails to parse gets one, and is
  // logged with it.
  app.use(requestIdMiddleware);
  app.use(logger.httpMiddleware());
  app.use(app.get(MetricsService).httpMiddleware);
  app.use(helmet());
  app.enableCors({
    origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins,
    exposedHeaders: ['X-Request-ID', 'Retry-After'],
  });
  // The OAuth authorization server (/oauth, its metadata): before the JSON parser, since it reads
  // its own form bodies; it answers protocol errors itself.
  app.use(app.get(OAuthServer).middleware());
  app.use(
    inputGuard({
      bodyLimit: config.http.bodyLimit,
      largeBodyLimit: config.http.bodyLimitAuthenticated,
      largeBodyRoutes: LARGE_BODY_ROUTES,
      maxDepth: config.http.bodyMaxDepth,
    }),
  );
  serveWebAppFiles(app);
  app.use(middlewareErrorHandler);

  // Socket.IO (the /mcp chat namespace) on the same HTTP server, fanned out through Redis.
  app.useWebSocketAdapter(new HubIoAdapter(app, config, app.get(RedisConnection)));

  app.useGlobalPipes(new InputValidationPipe());

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
