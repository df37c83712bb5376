import { Logger, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import { RedisAdapter } from '@socket.io/redis-adapter';
import proxyAddr from 'proxy-addr';
import type { Namespace, RemoteSocket, Socket } from 'socket.io';
import { AuthEvents } from '../auth/events/auth-events';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { CreditEvents } from '../credits/events/credit-events';
import { GrantEvents } from '../grants/grant-events';
import { SessionService } from '../session/session.service';
import { ChatBilling } from './chat-billing';
import { parseRequestId } from './chat-payload';
import {
  AuthRefreshAck,
  ChatAck,
  ChatErrorEvent,
  CreditsBalanceEvent,
  HubClientToServerEvents,
  HubServerToClientEvents,
} from './chat.types';
import { ChatService, ChatSink } from './chat.service';
import { SocketAuthenticator, SocketIdentity } from './socket-authenticator';
import { SocketLimits } from './socket-limits';

/** Between instances: the balances one instance pushed, for the others' sockets. */
interface McpServerSideEvents {
  'credits:balances': (pushes: BalancePush[]) => void;
}
type McpSocket = Socket<
  HubClientToServerEvents,
  HubServerToClientEvents,
  McpServerSideEvents,
  { identity: SocketIdentity }
>;
type McpNamespace = Namespace<
  HubClientToServerEvents,
  HubServerToClientEvents,
  McpServerSideEvents,
  { identity: SocketIdentity }
>;
type BalancePush = { user_id: string; version: number; event: CreditsBalanceEvent };

export const userRoom = (userId: string) => `user:${userId}`;
const sessionRoom = (sessionId: string) => `session:${sessionId}`;
const roomsOf = (identity: SocketIdentity) =>
  identity.sessionId
    ? [userRoom(identity.userId), sessionRoom(identity.sessionId)]
    : [userRoom(identity.userId)];

/** What a socket hears before the server disconnects it for its credential. */
const unauthenticated = (message: string): ChatErrorEvent => ({
  request_id: '',
  code: 'UNAUTHENTICATED',
  message,
  cost: '0',
});

/**
 * How long a balance change waits for others before each user's latest state goes to this
 * instance's sockets and, in one Redis message, to the other instances' (the live balance's budget
 * is ~100 ms). A push per turn of the event loop wrote a frame per money move in a burst: 20
 * simultaneous chat starts pushed 20 balances while their first tokens were on the way, and their
 * first tokens came 1–3 ms sooner without (paired probe in BENCHMARKS.md).
 */
const BALANCES_EVERY_MS = 50;

/**
 * Socket.IO namespace `/mcp` on the HTTP server. Who may connect: a user with a JWT access token
 * or a `VERIFIED-…` session token in `auth.token`, or an app with the user's OAuth access token
 * (scope `chat`; its chats are paid under the user's grant to the app); anything else gets
 * connect_error "unauthorized". Handlers only parse, call ChatService and send what it returns. A
 * socket ends with its credential (`chat:error` UNAUTHENTICATED, then disconnect): at its expiry
 * (a timer on the Clock; `auth:refresh` with a fresh token of the same user moves it), at its
 * revocation (logout, refresh-token reuse, a revoked session, a password reset, a revoked grant
 * or OAuth token), or a disabled account.
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
  private readonly stopAuthEvents: (() => void)[] = [];
  private stopBalances?: () => void;
  /** Balances to push when `balancesTimer` fires (BALANCES_EVERY_MS): the latest per user. */
  private readonly balancePushes = new Map<string, BalancePush>();
  private balancesTimer?: NodeJS.Timeout;
  /** Per user with sockets here: the version of the state they were pushed last. */
  private readonly pushedVersions = new Map<string, number>();
  private namespace?: McpNamespace;
  private closing = false;
  /** Per socket id: cancels the timer at its credential's expiry. */
  private readonly expiryTimers = new Map<string, () => void>();

  constructor(
    private readonly chat: ChatService,
    private readonly authenticator: SocketAuthenticator,
    private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly limits: SocketLimits,
    private readonly http: HttpAdapterHost,
    private readonly authEvents: AuthEvents,
    private readonly clock: Clock,
    private readonly creditEvents: CreditEvents,
    private readonly billing: ChatBilling,
    private readonly grantEvents: GrantEvents,
  ) {}

  afterInit(namespace: McpNamespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
      if (this.closing) return next(new Error('server shutting down: connect again'));
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      this.authenticator.authenticate(auth?.token, { ip: this.clientAddress(socket) }).then(
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
    this.stopAuthEvents.push(
      this.authEvents.on('login.revoked', ({ userId }) => this.revalidateUser(userId)),
      // Every credential of the user ended: no re-check needed, all their sockets go.
      this.authEvents.on('user.signed_out_everywhere', ({ userId }) => {
        this.disconnectUser(userId, 'You were signed out everywhere');
      }),
      // An app's grant revoked by the user or an admin (its OAuth tokens end as `login.revoked`).
      this.grantEvents.on('grant.revoked', ({ userId }) => this.revalidateUser(userId)),
    );
    // Every money move of a user reaches their sockets on every instance. The moves of
    // BALANCES_EVERY_MS go out together (pushBalances).
    this.stopBalances = this.creditEvents.on('ledger.changed', (change) => {
      this.billing.noteAvailable(change.userId, change.available);
      const waiting = this.balancePushes.get(change.userId);
      if (waiting && waiting.version >= change.version) return;
      this.balancesTimer ??= setTimeout(() => this.pushBalances(namespace), BALANCES_EVERY_MS);
      this.balancePushes.set(change.userId, {
        user_id: change.userId,
        version: change.version,
        event: {
          balance: change.balance,
          available: change.available,
          held: change.held,
          transaction_id: change.transactionId,
        },
      });
    });
    namespace.on('credits:balances', (pushes) => this.pushLocally(namespace, pushes));
  }

  /**
   * Pushes the balances of the last BALANCES_EVERY_MS: each user's latest state (moves that
   * committed together, e.g. in one money-core statement, show as their result), to this
   * instance's sockets and, in ONE message through the Redis adapter, to the other instances'.
   */
  private pushBalances(namespace: McpNamespace): void {
    this.balancesTimer = undefined;
    if (!this.stopBalances) return; // stopped meanwhile (onModuleDestroy)
    const pushes = [...this.balancePushes.values()];
    this.balancePushes.clear();
    this.pushLocally(namespace, pushes);
    // Without Redis (or before its adapter is attached) there is no other instance to tell.
    if (namespace.adapter instanceof RedisAdapter && pushes.length > 0) {
      namespace.serverSideEmit('credits:balances', pushes);
    }
  }

  handleConnection(socket: McpSocket): void {
    const { identity } = socket.data;
    void socket.join(roomsOf(identity));
    this.watchExpiry(socket);
    const sink: ChatSink = {
      chunk: (event) => socket.emit('chat:chunk', event),
      end: (event) => socket.emit('chat:end', event),
      error: (event) => socket.emit('chat:error', event),
    };
    socket.on('chat:start', (...args: unknown[]) => {
      const ack = takeAck(args);
      // The identity of now: `auth:refresh` may have replaced it (same user, same grant).
      const { userId, grantId } = socket.data.identity;
      this.chat.start({ userId, grantId }, socket.id, args[0], sink).then(
        ({ ack: result, open }) => {
          // The request went upstream before the ack; its chunks wait for the ack to go out.
          reply(ack, result, sink, args[0]);
          open?.();
        },
        (error: unknown) => {
          this.logger.error({ err: error }, 'chat:start failed');
          reply(ack, { ok: false, code: 'INTERNAL', message: 'Internal error' }, sink, args[0]);
        },
      );
    });
    socket.on('auth:refresh', (...args: unknown[]) => {
      const ack = takeAck(args) as ((result: AuthRefreshAck) => void) | undefined;
      const token = (args[0] as { token?: unknown } | undefined)?.token;
      const current = socket.data.identity;
      this.authenticator
        .reauthenticate(current, token, { ip: this.clientAddress(socket) })
        .then((next) => {
          socket.data.identity = next;
          const rooms = roomsOf(next);
          for (const room of roomsOf(current)) if (!rooms.includes(room)) void socket.leave(room);
          void socket.join(rooms);
          this.watchExpiry(socket);
          ack?.({ ok: true, expires_at: next.expiresAt.toISOString() });
        })
        .catch(() =>
          ack?.({
            ok: false,
            code: 'UNAUTHENTICATED',
            message: 'The token was refused; the socket keeps its current credential',
          }),
        );
    });
    socket.on('chat:cancel', (...args: unknown[]) => {
      const ack = takeAck(args);
      const requestId = parseRequestId(args[0]);
      const found = requestId !== undefined && this.chat.cancel(socket.id, requestId);
      ack?.(
        found
          ? { ok: true }
          : { ok: false, code: 'INVALID_REQUEST', message: 'No running chat with this request_id' },
      );
    });
  }

  handleDisconnect(socket: McpSocket): void {
    this.expiryTimers.get(socket.id)?.();
    this.expiryTimers.delete(socket.id);
    this.chat.disconnected(socket.id);
    const { userId } = socket.data.identity;
    if (!this.namespace?.adapter.rooms.has(userRoom(userId))) this.pushedVersions.delete(userId);
  }

  /**
   * To the sockets of this instance, in version order: a state older than the one a user's
   * sockets here last got (moves answered out of their commit order, or pushed by two
   * instances) is dropped.
   */
  private pushLocally(namespace: McpNamespace, pushes: BalancePush[]): void {
    for (const { user_id: userId, version, event } of pushes) {
      const room = userRoom(userId);
      if (!namespace.adapter.rooms.has(room)) continue;
      if ((this.pushedVersions.get(userId) ?? -1) >= version) continue;
      this.pushedVersions.set(userId, version);
      namespace.local.to(room).emit('credits:balance', event);
    }
  }

  /**
   * Disconnects every socket of a user on every instance (through the Redis adapter when
   * configured), each told why first, e.g. right after a password reset.
   */
  disconnectUser(userId: string, reason = 'Your access was revoked'): void {
    const room = this.namespace?.in(userRoom(userId));
    room?.emit('chat:error', unauthenticated(reason));
    room?.disconnectSockets(true);
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
    for (const stop of this.stopAuthEvents) stop();
    this.stopBalances?.();
    this.stopBalances = undefined;
    // A push still waiting would publish on the adapter's connections as they close.
    this.balancePushes.clear();
    clearTimeout(this.balancesTimer);
    for (const cancel of this.expiryTimers.values()) cancel();
    this.expiryTimers.clear();
  }

  /** (Re)arms the timer that ends the socket when its credential expires (the injected Clock). */
  private watchExpiry(socket: McpSocket): void {
    this.expiryTimers.get(socket.id)?.();
    const cancel = this.clock.schedule(socket.data.identity.expiresAt, () => {
      this.expiryTimers.delete(socket.id);
      this.logger.log({ userId: socket.data.identity.userId }, 'Credential expired: disconnecting');
      endSocket(socket, 'Your credential expired; connect again with a fresh token');
    });
    this.expiryTimers.set(socket.id, cancel);
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
          endSocket(socket, 'Your credential was revoked');
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
        endSocket(socket, 'Your credential is no longer valid');
      }
    }
  }
}

/** Tells the socket why, then disconnects it (a local socket or one on another instance). */
function endSocket(
  socket: McpSocket | RemoteSocket<HubServerToClientEvents, { identity: SocketIdentity }>,
  message: string,
): void {
  socket.emit('chat:error', unauthenticated(message));
  socket.disconnect(true);
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
      request_id: parseRequestId(payload) ?? '',
      code: result.code,
      message: result.message,
      cost: '0',
    });
  }
}
