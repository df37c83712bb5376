import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthenticationService } from '../../auth/authentication/authentication.service';
import { headerValue, sessionTokenCredential } from '../../auth/authentication/credentials';
import { DomainError } from '../../common/errors/domain-error';
import { requestContextOf } from '../../common/http/request-context';
import { RateLimiterService } from '../../common/rate-limit/rate-limiter.service';
import { isUuid } from '../../common/uuid';
import { AppConfig } from '../../config/app-config';
import {
  authenticateIntegration,
  requiredScope,
} from '../../integration-keys/integration-key.guard';
import type { IntegrationScope } from '../../integration-keys/integration-scopes';
import type { CreditCaller } from './credit-caller';

export class CreditCallerUnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

export class CreditCallerForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class InvalidUserIdHeaderError extends DomainError {
  readonly kind = 'invalid';
  constructor(missing: boolean) {
    super(missing ? 'X-User-ID is required with X-API-Key' : 'X-User-ID must be a UUID');
  }
}

export interface RequestWithCaller extends Request {
  creditCaller?: CreditCaller;
}

const MINUTE_MS = 60_000;

/**
 * Who may call `/api/mcp/v1/credits/*`: an integration key (`X-API-Key`, with the route's scope)
 * acting for `X-User-ID`, or the user's own `X-Session-Token` (`X-User-ID` optional, and must be
 * that user). Neither → 401; `X-User-ID` alone proves nothing. Integration keys are rate-limited
 * per key (INTEGRATION_RATE_LIMIT_PER_MINUTE), session callers per user, failed attempts per IP.
 */
@Injectable()
export class CreditCallerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    private readonly limiter: RateLimiterService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RequestWithCaller>();
    const scope = requiredScope(this.reflector, context);
    const userIdHeader = headerValue(req.headers, 'x-user-id');
    if (headerValue(req.headers, 'x-api-key')) {
      req.creditCaller = await this.fromApiKey(req, userIdHeader, scope);
    } else if (headerValue(req.headers, 'x-session-token')) {
      req.creditCaller = await this.fromSession(req, userIdHeader);
    } else {
      throw new CreditCallerUnauthenticatedError(
        'X-API-Key (with X-User-ID) or X-Session-Token is required',
      );
    }
    return true;
  }

  private async fromApiKey(
    req: Request,
    userId: string | undefined,
    scope: IntegrationScope | undefined,
  ): Promise<CreditCaller> {
    const { integration: key } = await authenticateIntegration(this.authentication, req, scope);
    if (!userId) throw new InvalidUserIdHeaderError(true);
    if (!isUuid(userId)) throw new InvalidUserIdHeaderError(false);
    return {
      userId: userId.toLowerCase(),
      actor: `api_key:${key.name}`,
      via: 'api_key',
      credentialId: key.id,
    };
  }

  private async fromSession(req: Request, userId: string | undefined): Promise<CreditCaller> {
    // Counts malformed/unknown tokens against the client IP, as verify-session does.
    const session = await this.authentication
      .authenticateUser(sessionTokenCredential(req.headers), requestContextOf(req), ['session'])
      .catch((error: unknown) => {
        // Unknown, expired or revoked: the credential is not valid → 401 (keep 403 and 429).
        if (error instanceof DomainError && ['not_found', 'gone'].includes(error.kind)) {
          throw new CreditCallerUnauthenticatedError(error.message);
        }
        throw error;
      });
    if (userId !== undefined) {
      if (!isUuid(userId)) throw new InvalidUserIdHeaderError(false);
      if (userId.toLowerCase() !== session.user.id) {
        throw new CreditCallerForbiddenError('X-User-ID is not the user of this session');
      }
    }
    await this.limiter.hit(
      `credits-user:${session.user.id}`,
      this.config.rateLimitPerMinute,
      MINUTE_MS,
    );
    return {
      userId: session.user.id,
      actor: `user:${session.user.id}`,
      via: 'session',
      credentialId: session.credentialId,
    };
  }
}
