import 'reflect-metadata';
import type { Socket } from 'node:net';
import pino from 'pino';
import { createApp } from './app.factory';
import { baseLoggerOptions } from './common/logging/logger-options';
import { AppConfig, ConfigValidationError, loadAppConfig } from './config/app-config';
import { readEnvironment } from './config/read-environment';
import { EmbeddedPostgresServer } from './database/embedded-postgres';
import { McpGateway } from './mcp/mcp.gateway';

function loadConfigOrExit(): AppConfig {
  try {
    return loadAppConfig(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const logger = pino(baseLoggerOptions(config.logLevel));

  // Signals are ours from the start: Ctrl-C while starting stops what was started, in order.
  const running: { shutdown?: (signal: string) => Promise<void> } = {};
  let stopping = false;
  let embeddedStart: Promise<EmbeddedPostgresServer> | undefined;
  const stopWhileStarting = async (signal: string) => {
    logger.info({ signal }, 'Stopping during start-up');
    const pg = await embeddedStart?.catch(() => undefined);
    await pg?.stop();
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void (running.shutdown ?? stopWhileStarting)(signal);
    });
  }

  if (!config.database.url) {
    embeddedStart = EmbeddedPostgresServer.start({
      dir: config.database.embeddedDir,
      port: config.database.embeddedPort,
      logger,
    });
  }
  const embedded = await embeddedStart;
  if (embedded) config = { ...config, database: { ...config.database, url: embedded.url } };
  if (config.jwt.secretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: a random secret was generated, so tokens end with this process',
    );
  }
  if (!config.redis.url) {
    logger.warn(
      'REDIS_URL is not set: single-instance mode (cache and rate limits in process memory)',
    );
  }

  const app = await createApp(config);
  const server = app.getHttpServer();
  // Every connection, upgraded WebSockets included (closeAllConnections misses those), so the
  // shutdown timeout bounds them all.
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  await app.listen(config.port, config.host);
  logger.info({ address: server.address() }, 'Smart AI Hub is listening');

  running.shutdown = async (signal: string) => {
    logger.info({ signal }, 'Shutting down: finishing in-flight requests');
    // Stop accepting, let in-flight requests and chats finish, and cut what is left after the
    // timeout. Chats past their grace are cancelled and charged for what they delivered, and
    // their sockets are told and disconnected (McpGateway.drain).
    const forceClose = setTimeout(() => {
      for (const socket of connections) socket.destroy();
    }, config.http.shutdownTimeoutMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await app
      .get(McpGateway)
      .drain(config.http.shutdownTimeoutMs)
      .catch((error: unknown) => logger.error({ err: error }, 'Draining the chats failed'));
    await closed;
    clearTimeout(forceClose);
    await app.close();
    await embedded?.stop();
    logger.info('Shut down cleanly');
    // Every line out before exiting (the destination writes asynchronously).
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    process.exit(0);
  };
}

main().catch((error: unknown) => {
  const logger = pino(baseLoggerOptions('info'));
  logger.fatal({ err: error }, 'Start-up failed');
  process.exit(1);
});
