import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { RedisConnection } from '../cache/redis-connection';
import { AppConfig } from '../config/app-config';

/**
 * Largest Socket.IO message accepted. Above Socket.IO's 1 MB default so an oversized chat is
 * answered with INVALID_REQUEST (MCP_MAX_INPUT_CHARS) instead of a dropped connection.
 */
export const MAX_SOCKET_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Socket.IO on the app's own HTTP server, with the CORS origins of the HTTP API, and the Redis
 * adapter when REDIS_URL is set so rooms and broadcasts span every instance. The adapter gets
 * its own two connections (publish, subscribe), duplicated from the shared one.
 */
export class HubIoAdapter extends IoAdapter {
  private readonly logger = new Logger('SocketIO');
  private readonly redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly redis: RedisConnection,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.config.http.corsOrigins;
    const server = super.createIOServer(port, {
      ...options,
      maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
      cors: { origin: origins.includes('*') ? true : origins },
    }) as Server;
    if (this.redis.client) {
      // Pub/sub must queue while (re)connecting, unlike the fail-fast command connection.
      const pub = this.redis.client.duplicate({
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
      });
      const sub = pub.duplicate();
      for (const client of [pub, sub]) client.on('error', () => undefined);
      this.redisClients.push(pub, sub);
      server.adapter(createAdapter(pub, sub, { key: `${this.redis.keyPrefix}socket.io` }));
      this.logger.log('Socket.IO fans out through Redis');
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    // QUIT lets the adapter's queued SUBSCRIBE finish first (cutting it rejects that command
    // inside the adapter, unhandled); a connection that never comes up is cut after a second.
    await Promise.all(this.redisClients.splice(0).map((client) => quitOrCut(client)));
  }
}

async function quitOrCut(client: Redis): Promise<void> {
  const timer = setTimeout(() => client.disconnect(), 1000);
  try {
    await client.quit();
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
