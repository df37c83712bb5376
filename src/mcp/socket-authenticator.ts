import { Injectable } from '@nestjs/common';
import { AuthenticationService } from '../auth/authentication/authentication.service';
import type {
  AuthenticationContext,
  CredentialKind,
  PresentedCredential,
  UserCaller,
} from '../auth/authentication/caller';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';

/** Who is on a socket, and with what credential (kept to re-check it while connected). */
export interface SocketIdentity {
  userId: string;
  via: 'jwt' | 'session' | 'oauth';
  /**
   * The login (refresh-token family) of a JWT; the session id of a VERIFIED session; the token id
   * of an OAuth access token.
   */
  credentialId: string;
  /** Set for a VERIFIED session (its room). */
  sessionId?: string;
  /** Set for an OAuth access token: the user's spending grant to the app, which pays its chats. */
  grantId?: string;
  /** When the credential ends; the gateway disconnects the socket then (unless refreshed). */
  expiresAt: Date;
  token: string;
}

export class SocketUnauthorizedError extends Error {
  constructor() {
    super('unauthorized');
  }
}

const SESSION_PREFIX = 'VERIFIED-';
const SOCKET_KINDS: readonly CredentialKind[] = ['access_token', 'session', 'oauth_token'];
/** The OAuth scope an app's access token needs on the chat socket. */
export const CHAT_SCOPE = 'chat';
// What a refused credential answers; anything else (an outage) keeps a connected socket.
const REFUSED = new Set(['unauthenticated', 'forbidden', 'not_found', 'gone']);

function socketCredential(token: string): PresentedCredential {
  return token.startsWith(SESSION_PREFIX)
    ? { carrier: 'session_token', value: token }
    : { carrier: 'bearer', value: token };
}

function identityOf(caller: UserCaller, token: string): SocketIdentity {
  const session = caller.credential === 'session';
  return {
    userId: caller.user.id,
    via: caller.client ? 'oauth' : session ? 'session' : 'jwt',
    credentialId: caller.credentialId,
    ...(session ? { sessionId: caller.credentialId } : {}),
    ...(caller.client ? { grantId: caller.client.grantId } : {}),
    expiresAt: caller.expiresAt,
    token,
  };
}

/**
 * The `/mcp` handshake credential — a JWT access token, a `VERIFIED-…` session token or an app's
 * OAuth access token (scope `chat`, audience the chat socket) — through AuthenticationService,
 * like every HTTP guard: the same expiry, revocation and disabled-account rules, and a failed
 * VERIFIED guess counts toward the client IP's verify-session limit. An OAuth token is read again
 * at every re-check, so a revoked token or grant ends the socket.
 */
@Injectable()
export class SocketAuthenticator {
  constructor(
    private readonly authentication: AuthenticationService,
    private readonly config: AppConfig,
  ) {}

  async authenticate(token: unknown, client: AuthenticationContext): Promise<SocketIdentity> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new SocketUnauthorizedError();
    }
    try {
      return await this.resolve(token, client);
    } catch {
      throw new SocketUnauthorizedError();
    }
  }

  /**
   * A fresh credential on a live socket: accepted only for the same user, and the same payer (an
   * app's socket stays the app's, under its grant; the user's own stays the user's).
   */
  async reauthenticate(
    current: SocketIdentity,
    token: unknown,
    client: AuthenticationContext,
  ): Promise<SocketIdentity> {
    const next = await this.authenticate(token, client);
    if (next.userId !== current.userId || next.grantId !== current.grantId) {
      throw new SocketUnauthorizedError();
    }
    return next;
  }

  /**
   * Whether the socket may stay: its credential must still resolve now (not expired, revoked, or
   * of a disabled account). Re-checks do not count as guesses; an outage keeps the socket.
   */
  async stillValid(identity: SocketIdentity): Promise<boolean> {
    try {
      await this.resolve(identity.token, {});
      return true;
    } catch (error) {
      if (error instanceof SocketUnauthorizedError) return false;
      return !(error instanceof DomainError && REFUSED.has(error.kind));
    }
  }

  /** The caller behind `token`; an app's token must be for the chat socket, with scope `chat`. */
  private async resolve(token: string, client: AuthenticationContext): Promise<SocketIdentity> {
    const caller = await this.authentication.authenticateUser(
      socketCredential(token),
      client,
      SOCKET_KINDS,
    );
    if (
      caller.client &&
      (!caller.client.scopes.includes(CHAT_SCOPE) ||
        !caller.client.audience.includes(this.config.oauth.chatResource))
    ) {
      throw new SocketUnauthorizedError();
    }
    return identityOf(caller, token);
  }
}
