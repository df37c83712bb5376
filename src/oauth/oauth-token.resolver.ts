import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InvalidAccessTokenError } from '../auth/auth.errors';
import {
  AuthenticationService,
  RegisteredResolver,
} from '../auth/authentication/authentication.service';
import type { ResolvedCredential } from '../auth/authentication/caller';
import { UsersService } from '../auth/users.service';
import { GrantEvents } from '../grants/grant-events';
import { GrantsService } from '../grants/grants.service';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';
import { OAuthServer } from './oauth-server';

/** oidc-provider's opaque access tokens: 256 random bits, base64url. */
const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * `Authorization: Bearer <OAuth access token>`: the token as the authorization server stored it
 * (unknown, expired or revoked → 401), then the user's live spending grant to the token's client
 * (revoked → 401, at once: both are read on every use, nothing is cached), then the account. The
 * caller names the client, the grant, the scopes (the token's, within the grant's) and the
 * audience; each protected resource checks its own audience and scope.
 */
@Injectable()
export class OAuthTokenResolver
  extends RegisteredResolver
  implements OnModuleInit, OnModuleDestroy
{
  readonly kind = 'oauth_token';
  readonly carrier = 'bearer';
  private stopListening?: () => void;

  constructor(
    authentication: AuthenticationService,
    private readonly server: OAuthServer,
    private readonly grants: GrantsService,
    private readonly users: UsersService,
    private readonly payloads: OAuthPayloadsRepository,
    private readonly grantEvents: GrantEvents,
  ) {
    super(authentication);
  }

  override onModuleInit(): void {
    super.onModuleInit();
    // A revoked grant's tokens, codes and oidc-provider grants are deleted too (the grant check
    // above already refuses them; this leaves nothing to introspect or refresh).
    this.stopListening = this.grantEvents.on('grant.revoked', async (event) => {
      if (event.clientType === 'oauth') {
        await this.payloads.revokeUserClient(event.userId, event.clientId);
      }
    });
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  override recognizes(value: string): boolean {
    return OPAQUE_TOKEN.test(value);
  }

  async resolve(value: string): Promise<ResolvedCredential> {
    const token = await this.server.provider.AccessToken.find(value);
    if (!token || !token.accountId || !token.clientId) {
      throw new InvalidAccessTokenError('Access token unknown, expired or revoked');
    }
    const grant = await this.grants.findLive(token.accountId, 'oauth', token.clientId);
    if (!grant) throw new InvalidAccessTokenError('The grant behind this access token was revoked');
    const user = await this.users.findById(token.accountId);
    if (!user) throw new InvalidAccessTokenError('Access token unknown, expired or revoked');
    const scopes = (token.scope ?? '').split(' ').filter((s) => grant.scopes.includes(s));
    return {
      type: 'user',
      user: { id: user.id, email: user.email, name: user.name },
      role: null,
      status: user.status,
      credentialId: token.jti,
      expiresAt: new Date((token.exp ?? 0) * 1000),
      client: {
        id: token.clientId,
        grantId: grant.id,
        scopes,
        audience: Array.isArray(token.aud) ? token.aud : token.aud ? [token.aud] : [],
      },
    };
  }
}
