import { Logger, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import proxyAddr from 'proxy-addr';
import type { Namespace, Socket } from 'socket.io';
import { AppConfig } from '../config/app-config';
import { SessionService } from '../session/session.service';
import { parseRequestId } from './chat-payload';
import { ChatAck, McpClientToServerEvents, McpServerToClientEvents } from './chat.types';
import { ChatService, ChatSink } from './chat.service';
import { SocketAuthenticator, SocketIdentity } from './socket-authenticator';
import { SocketLimits } from './socket-limits';

type McpSocket = Socket<
  McpClientToServerEvents,
  McpServerToClientEvents,
  Record<string, never>,
  { identity: SocketIdentity }
>;
type McpNamespace = Namespace<
  McpClientToServerEvents,
  McpServerToClientEvents,
  Record<string, never>,
  { identity: SocketIdentity }
>;

export const userRoom = (userId: string) => `user:${userId}`;
const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/**
 * Socket.IO namespace `/mcp` on the HTTP server. Who may connect: a user with a JWT access token
 * or a `VERIFIED-…` session token in `auth.token`; anything else gets connect_error
 * "unauthorized". Handlers only parse, call ChatService and send what it returns.
 */
@WebSocketGateway({ namespace: '/mcp' })
export class McpGateway
  implements
    OnGatewayInit<McpNamespace>,
    OnGatewayConnection<McpSocket>,
    OnGatewayDisconnect<McpSocket>,
    OnModuleDestroy
{
  private readonly logger = new Logger('McpGateway');
  private revalidation?: NodeJS.Timeout;
  private stopListening?: () => void;
  private namespace?: McpNamespace;
  private closing = false;

  constructor(
    private readonly chat: ChatService,
    private readonly authenticator: SocketAuthenticator,
    private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly limits: SocketLimits,
    private readonly http: HttpAdapterHost,
  ) {}

  afterInit(namespace: McpNamespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
      if (this.closing) return next(new Error('server shutting down: connect again'));
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      this.authenticator.authenticate(auth?.token).then(
        (identity) => {
          // Counted and admitted in one synchronous step, after the last await (S-07).
          const admission = this.limits.admit(identity.userId, this.clientAddress(socket));
          if (!admission.ok) return next(new Error(admission.message));
          // Given back once, whether the socket connects and later leaves or never connects.
          socket.conn.once('close', admission.release);
          socket.once('disconnect', admission.release);
          socket.data.identity = identity;
          next();
        },
        () => next(new Error('unauthorized')),
      );
    });
    this.revalidation = setInterval(
      () => void this.revalidate(namespace),
      this.config.mcp.revalidateIntervalMs,
    );
    this.revalidation.unref();
    // A revocation (by the user, an operator, or a disable) re-checks that user's sockets on
    // every instance at once; the interval above catches what no event reports (expiry).
    this.stopListening = this.sessions.onRevocation((userId) => void this.revalidateUser(userId));
  }

  handleConnection(socket: McpSocket): void {
    const { identity } = socket.data;
    void socket.join(
      identity.sessionId
        ? [userRoom(identity.userId), sessionRoom(identity.sessionId)]
        : [userRoom(identity.userId)],
    );
    const sink: ChatSink = {
      chunk: (event) => socket.emit('chat:chunk', event),
      end: (event) => socket.emit('chat:end', event),
      error: (event) => socket.emit('chat:error', event),
    };
    socket.on('chat:start', (...args: unknown[]) => {
      const ack = takeAck(args);
      this.chat.start(identity.userId, socket.id, args[0], sink).then(
        ({ ack: result, run }) => {
          // The upstream request goes out first; the ack still precedes every chat event, which
          // all come after some I/O.
          void run?.();
          reply(ack, result, sink, args[0]);
        },
        (error: unknown) => {
          this.logger.error({ err: error }, 'chat:start failed');
          reply(ack, { ok: false, code: 'INTERNAL', message: 'Internal error' }, sink, args[0]);
        },
      );
    });
    socket.on('chat:cancel', (...args: unknown[]) => {
      const ack = takeAck(args);
      const requestId = parseRequestId(args[0]);
      const found = requestId !== undefined && this.chat.cancel(socket.id, requestId);
      ack?.(
        found
          ? { ok: true }
          : { ok: false, code: 'INVALID_REQUEST', message: 'No running chat with this requestId' },
      );
    });
  }

  handleDisconnect(socket: McpSocket): void {
    this.chat.disconnected(socket.id);
  }

  /**
   * Disconnects every socket of a user on every instance (through the Redis adapter when
   * configured), e.g. right after an operator disabled the account.
   */
  disconnectUser(userId: string): void {
    this.namespace?.in(userRoom(userId)).disconnectSockets(true);
  }

  /**
   * Shutdown (SIGTERM), bounded by `timeoutMs`: no new sockets or chats; running chats may finish
   * until the last second (or fifth) of it, then are cancelled and charged for what they
   * delivered; then every socket of this instance gets `server:shutdown` and is disconnected.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true;
    await this.chat.drain(timeoutMs - Math.min(1_000, timeoutMs / 5));
    const local = this.namespace?.local;
    local?.emit('server:shutdown', {
      message: 'The server is shutting down; connect again to reach another instance',
    });
    local?.disconnectSockets(true);
  }

  onModuleDestroy(): void {
    clearInterval(this.revalidation);
    this.stopListening?.();
  }

  /** The client's address as Express sees it for HTTP (TRUST_PROXY applies the same way). */
  private clientAddress(socket: McpSocket): string {
    const app = this.http.httpAdapter.getInstance<{ get(setting: string): unknown }>();
    const trust = app.get('trust proxy fn') as Parameters<typeof proxyAddr>[1];
    return proxyAddr(socket.request, trust);
  }

  /** Re-checks the credentials of one user's sockets, wherever they are connected. */
  private async revalidateUser(userId: string): Promise<void> {
    try {
      const sockets = await this.namespace!.in(userRoom(userId)).fetchSockets();
      for (const socket of sockets) {
        const identity = socket.data.identity;
        if (identity && !(await this.authenticator.stillValid(identity))) {
          this.logger.log({ userId, via: identity.via }, 'Credential revoked: disconnecting');
          socket.disconnect(true);
        }
      }
    } catch (error) {
      this.logger.warn(`could not re-check the sockets of a user: ${(error as Error).message}`);
    }
  }

  /** Disconnects sockets whose user was disabled or whose session was revoked or expired. */
  private async revalidate(namespace: McpNamespace): Promise<void> {
    const checked = new Map<string, Promise<boolean>>();
    for (const socket of namespace.sockets.values()) {
      const identity = socket.data.identity;
      if (!identity) continue;
      let valid = checked.get(identity.token);
      if (!valid) checked.set(identity.token, (valid = this.authenticator.stillValid(identity)));
      if (!(await valid)) {
        this.logger.log(
          { userId: identity.userId, via: identity.via },
          'Credential no longer valid: disconnecting',
        );
        socket.disconnect(true);
      }
    }
  }
}

function takeAck(args: unknown[]): ((result: ChatAck) => void) | undefined {
  return typeof args.at(-1) === 'function' ? (args.pop() as (result: ChatAck) => void) : undefined;
}

/** Acks when the client asked for one; otherwise a refusal still reaches it as `chat:error`. */
function reply(
  ack: ((result: ChatAck) => void) | undefined,
  result: ChatAck,
  sink: ChatSink,
  payload: unknown,
): void {
  if (ack) return ack(result);
  if (!result.ok) {
    sink.error({
      requestId: parseRequestId(payload) ?? '',
      code: result.code,
      message: result.message,
      cost: '0',
    });
  }
}
