import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { closeRedisClient, RedisConnection } from '../cache/redis-connection';
import { AppConfig } from '../config/app-config';
import type { McpConfig } from '../config/variables/mcp';

/**
 * Largest Socket.IO frame read (S-07): the largest valid `chat:start`, i.e. MCP_MAX_INPUT_CHARS
 * characters at 6 bytes each (the worst a JSON encoder writes, `\u0001` for control characters),
 * plus the fields and framing of MCP_MAX_MESSAGES messages. A bigger frame closes the connection
 * before it is parsed; anything up to this size is read and answered, as INVALID_REQUEST if it
 * breaks a limit.
 */
export function maxSocketMessageBytes(mcp: McpConfig): number {
  return 6 * mcp.maxInputChars + 64 * mcp.maxMessages + 4096;
}

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
      maxHttpBufferSize: maxSocketMessageBytes(this.config.mcp),
      cors: { origin: origins.includes('*') ? true : origins },
    }) as Server;
    // Only `/mcp` serves anyone (S-07): the default namespace refuses every connection.
    server.of('/').use((_socket, next) => next(new Error('invalid namespace: connect to /mcp')));
    const pub = this.redis.duplicateForPubSub();
    const sub = this.redis.duplicateForPubSub();
    if (pub && sub) {
      this.redisClients.push(pub, sub);
      // Attached once both are connected: the adapter subscribes at once and does not catch a
      // failure, so subscribing on a connection that is then cut would reject unhandled.
      void Promise.all([pub, sub].map((client) => whenReady(client))).then((ready) => {
        if (!ready.every(Boolean) || !this.redisClients.includes(pub)) return;
        server.adapter(createAdapter(pub, sub, { key: `${this.redis.keyPrefix}socket.io` }));
        this.logger.log('Socket.IO fans out through Redis');
      });
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all(this.redisClients.splice(0).map((client) => closeRedisClient(client)));
  }
}

function whenReady(client: Redis): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      client.off('ready', onReady);
      client.off('end', onEnd);
      resolve(ready);
    };
    const onReady = () => done(true);
    const onEnd = () => done(false);
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}
