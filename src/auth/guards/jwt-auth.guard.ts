import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AccessTokenService } from '../access-token.service';
import { AccountDisabledError, InvalidAccessTokenError } from '../auth.errors';
import { RequestWithUser } from '../decorators/current-user.decorator';
import { UsersService } from '../users.service';

const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * `Authorization: Bearer <access token>`. The signature and expiry are checked, then the account
 * is read on every request: a deleted or disabled account (or a changed role) takes effect from
 * the next request, not when the token expires. 401 without a valid token, 403 when disabled.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithUser>();
    if (request.user) return true;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
    if (!match) throw new InvalidAccessTokenError();
    const claims = await this.accessTokens.verify(match[1]);
    const user = await this.users.findById(claims.userId);
    if (!user) throw new InvalidAccessTokenError();
    if (user.status !== 'active') throw new AccountDisabledError();
    request.user = { id: user.id, email: user.email, role: user.role };
    return true;
  }
}
