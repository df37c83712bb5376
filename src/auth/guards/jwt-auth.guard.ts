import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { requestContextOf } from '../../common/http/request-context';
import { AuthenticationService } from '../authentication/authentication.service';
import type { CredentialKind } from '../authentication/caller';
import { bearerCredential } from '../authentication/credentials';
import { RequestWithUser } from '../decorators/current-user.decorator';

/** The bearer tokens a person's own routes accept. */
export const USER_BEARER_KINDS: readonly CredentialKind[] = ['access_token'];

/**
 * `Authorization: Bearer <access token>` (scheme in any case), resolved by AuthenticationService:
 * signature, expiry, the token's login not logged out, issued after the account's last password
 * reset, and the account read on every request, so a disabled account (or a changed role) takes
 * effect from the next request. 401 without a valid token, 403 when disabled.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly authentication: AuthenticationService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & RequestWithUser>();
    if (request.user) return true;
    const caller = await this.authentication.authenticateUser(
      bearerCredential(request.headers),
      requestContextOf(request),
      USER_BEARER_KINDS,
    );
    request.caller = caller;
    request.user = { id: caller.user.id, email: caller.user.email, role: caller.role ?? 'user' };
    return true;
  }
}
