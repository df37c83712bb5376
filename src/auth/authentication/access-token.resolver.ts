import { Injectable } from '@nestjs/common';
import { AccessTokenService } from '../access-token.service';
import { InvalidAccessTokenError } from '../auth.errors';
import { UsersRepository } from '../users.repository';
import type { CredentialResolver, ResolvedCredential } from './caller';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * `Authorization: Bearer <access JWT>`: signature and expiry (Clock), then ONE query for the
 * account, its "tokens valid after" instant and whether the token's login (its refresh-token
 * family, claim `sid`) is still live. PostgreSQL answers on every request, so a logout, a refresh
 * reuse or a password reset ends the token at once on every instance, and no cache can undo it.
 */
@Injectable()
export class AccessTokenResolver implements CredentialResolver {
  readonly kind = 'access_token';
  readonly carrier = 'bearer';

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly users: UsersRepository,
  ) {}

  recognizes(value: string): boolean {
    return JWT_SHAPE.test(value);
  }

  async resolve(value: string): Promise<ResolvedCredential> {
    const claims = await this.tokens.verify(value);
    const state = await this.users.findAccessState(claims.userId, claims.loginId);
    if (!state) throw new InvalidAccessTokenError();
    const validAfter = state.tokensValidAfter?.getTime() ?? 0;
    // A disabled account is told so (AuthenticationService) even though disabling it also ended
    // its logins.
    const revoked = !state.loginLive || claims.issuedAt.getTime() < validAfter;
    if (revoked && state.status === 'active') {
      throw new InvalidAccessTokenError('Access token revoked');
    }
    return {
      type: 'user',
      user: { id: state.id, email: state.email, name: state.name },
      role: state.role,
      status: state.status,
      credentialId: claims.loginId,
      expiresAt: claims.expiresAt,
    };
  }
}
