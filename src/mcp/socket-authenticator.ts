import { Injectable } from '@nestjs/common';
import { AccessTokenService } from '../auth/access-token.service';
import { UsersService } from '../auth/users.service';
import { SessionService } from '../session/session.service';

/** Who is on a socket, and with what credential (kept to re-check it while connected). */
export interface SocketIdentity {
  userId: string;
  via: 'jwt' | 'session';
  sessionId?: string;
  token: string;
}

export class SocketUnauthorizedError extends Error {
  constructor() {
    super('unauthorized');
  }
}

const SESSION_PREFIX = 'VERIFIED-';

/**
 * The `/mcp` handshake credential: a JWT access token (Auth) or a `VERIFIED-…` session token
 * (Session). Re-checked while connected, so a disabled user or a revoked session loses the socket.
 */
@Injectable()
export class SocketAuthenticator {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {}

  async authenticate(token: unknown): Promise<SocketIdentity> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new SocketUnauthorizedError();
    }
    try {
      if (token.startsWith(SESSION_PREFIX)) {
        const session = await this.sessions.verify(token);
        return { userId: session.user.id, via: 'session', sessionId: session.sessionId, token };
      }
      const { userId } = await this.accessTokens.verify(token);
      await this.requireActive(userId);
      return { userId, via: 'jwt', token };
    } catch {
      throw new SocketUnauthorizedError();
    }
  }

  /**
   * Whether the socket may stay: a session must still verify (not revoked, expired or of a
   * disabled user); a JWT socket's user must still be active. The JWT itself is checked at the
   * handshake only, so a long chat is not cut when the short-lived access token expires.
   */
  async stillValid(identity: SocketIdentity): Promise<boolean> {
    try {
      if (identity.via === 'session') await this.sessions.verify(identity.token);
      else await this.requireActive(identity.userId);
      return true;
    } catch {
      return false;
    }
  }

  private async requireActive(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.status !== 'active') throw new SocketUnauthorizedError();
  }
}
