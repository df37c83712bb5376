import { Injectable } from '@nestjs/common';
import { AuthenticationService } from '../auth/authentication/authentication.service';
import type {
  AuthenticationContext,
  CredentialKind,
  PresentedCredential,
  UserCaller,
} from '../auth/authentication/caller';
import { DomainError } from '../common/errors/domain-error';

/** Who is on a socket, and with what credential (kept to re-check it while connected). */
export interface SocketIdentity {
  userId: string;
  via: 'jwt' | 'session';
  /** The login (refresh-token family) of a JWT; the session id of a VERIFIED session. */
  credentialId: string;
  /** Set for a VERIFIED session (its room). */
  sessionId?: string;
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
const SOCKET_KINDS: readonly CredentialKind[] = ['access_token', 'session'];
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
    via: session ? 'session' : 'jwt',
    credentialId: caller.credentialId,
    ...(session ? { sessionId: caller.credentialId } : {}),
    expiresAt: caller.expiresAt,
    token,
  };
}

/**
 * The `/mcp` handshake credential — a JWT access token or a `VERIFIED-…` session token — through
 * AuthenticationService, like every HTTP guard: the same expiry, revocation and disabled-account
 * rules, and a failed VERIFIED guess counts toward the client IP's verify-session limit.
 */
@Injectable()
export class SocketAuthenticator {
  constructor(private readonly authentication: AuthenticationService) {}

  async authenticate(token: unknown, client: AuthenticationContext): Promise<SocketIdentity> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new SocketUnauthorizedError();
    }
    try {
      const caller = await this.authentication.authenticateUser(
        socketCredential(token),
        client,
        SOCKET_KINDS,
      );
      return identityOf(caller, token);
    } catch {
      throw new SocketUnauthorizedError();
    }
  }

  /** A fresh credential on a live socket: accepted only for the same user. */
  async reauthenticate(
    current: SocketIdentity,
    token: unknown,
    client: AuthenticationContext,
  ): Promise<SocketIdentity> {
    const next = await this.authenticate(token, client);
    if (next.userId !== current.userId) throw new SocketUnauthorizedError();
    return next;
  }

  /**
   * Whether the socket may stay: its credential must still resolve now (not expired, revoked, or
   * of a disabled account). Re-checks do not count as guesses; an outage keeps the socket.
   */
  async stillValid(identity: SocketIdentity): Promise<boolean> {
    try {
      await this.authentication.authenticateUser(
        socketCredential(identity.token),
        {},
        SOCKET_KINDS,
      );
      return true;
    } catch (error) {
      return !(error instanceof DomainError && REFUSED.has(error.kind));
    }
  }
}
