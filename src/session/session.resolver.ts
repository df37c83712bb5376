import { Injectable } from '@nestjs/common';
import {
  AuthenticationService,
  RegisteredResolver,
} from '../auth/authentication/authentication.service';
import type { AuthenticationContext, ResolvedCredential } from '../auth/authentication/caller';
import { SessionService } from './session.service';

/**
 * `X-Session-Token` (and a `VERIFIED-…` socket handshake): a VERIFIED session. With a client IP
 * (a request or a handshake) failed guesses count toward the per-IP verify-session limit; without
 * one (re-checking a connected socket) they do not.
 */
@Injectable()
export class SessionResolver extends RegisteredResolver {
  readonly kind = 'session';
  readonly carrier = 'session_token';

  constructor(
    private readonly sessions: SessionService,
    authentication: AuthenticationService,
  ) {
    super(authentication);
  }

  async resolve(value: string, context: AuthenticationContext): Promise<ResolvedCredential> {
    const session =
      context.ip === undefined
        ? await this.sessions.verify(value)
        : await this.sessions.verifyForClient(value, {
            ip: context.ip,
            requestId: context.requestId,
          });
    return {
      type: 'user',
      user: session.user,
      role: null,
      status: session.userStatus === 'active' ? 'active' : 'disabled',
      credentialId: session.sessionId,
      expiresAt: session.expiresAt,
    };
  }
}
