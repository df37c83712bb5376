import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuthenticationService } from '../../auth/authentication/authentication.service';
import {
  bearerCredential,
  headerValue,
  sessionTokenCredential,
} from '../../auth/authentication/credentials';
import { DomainError } from '../../common/errors/domain-error';
import { requestContextOf } from '../../common/http/request-context';
import { RateLimiterService } from '../../rate-limit/rate-limiter.service';
import { isUuid } from '../../common/uuid';
import { AppConfig } from '../../config/app-config';
import { NoGrantError } from '../../grants/grants.errors';
import { GrantsService } from '../../grants/grants.service';
import {
  authenticateIntegration,
  requiredScope,
} from '../../integration-keys/integration-key.guard';
import type { IntegrationScope } from '../../integration-keys/integration-scopes';
import { bearerChallenge, OAUTH_SCOPE_OF } from './bearer-challenge';
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
 * acting for `X-User-ID` — a `granted` key only for users with a live grant to it — or an OAuth
 * access token (`Authorization: Bearer`, audience the credit API, with the scope) acting under
 * the user's grant to its client, or the user's own `X-Session-Token` (`X-User-ID` optional, and
 * must be that user). None → 401; `X-User-ID` alone proves nothing. A 401/403 carries
 * `WWW-Authenticate: Bearer resource_metadata=…, scope=…` (RFC 9728), so an OAuth client finds
 * where to get a token. Integration keys are rate-limited per key, users per user, failed
 * attempts per IP.
 */
@Injectable()
export class CreditCallerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
    private readonly limiter: RateLimiterService,
    private readonly config: AppConfig,
    private readonly grants: GrantsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RequestWithCaller>();
    const scope = requiredScope(this.reflector, context);
    try {
      req.creditCaller = await this.callerOf(req, scope);
      return true;
    } catch (error) {
      if (error instanceof DomainError && ['unauthenticated', 'forbidden'].includes(error.kind)) {
        context
          .switchToHttp()
          .getResponse<Response>()
          .setHeader('WWW-Authenticate', bearerChallenge(this.config, scope, error));
      }
      throw error;
    }
  }

  private callerOf(req: Request, scope: IntegrationScope | undefined): Promise<CreditCaller> {
    const userIdHeader = headerValue(req.headers, 'x-user-id');
    if (headerValue(req.headers, 'x-api-key')) return this.fromApiKey(req, userIdHeader, scope);
    if (headerValue(req.headers, 'x-session-token')) return this.fromSession(req, userIdHeader);
    if (bearerCredential(req.headers).value) return this.fromOAuthToken(req, userIdHeader, scope);
    throw new CreditCallerUnauthenticatedError(
      'X-API-Key (with X-User-ID), an OAuth access token or X-Session-Token is required',
    );
  }

  private async fromApiKey(
    req: Request,
    userId: string | undefined,
    scope: IntegrationScope | undefined,
  ): Promise<CreditCaller> {
    const { integration: key } = await authenticateIntegration(this.authentication, req, scope);
    if (!userId) throw new InvalidUserIdHeaderError(true);
    if (!isUuid(userId)) throw new InvalidUserIdHeaderError(false);
    const caller: CreditCaller = {
      userId: userId.toLowerCase(),
      actor: `api_key:${key.name}`,
      via: 'api_key',
      credentialId: key.id,
    };
    if (key.userScope === 'all') return caller;
    const grant = await this.grants.findLive(caller.userId, 'integration', key.name);
    if (!grant) throw new NoGrantError(key.name);
    return { ...caller, grantId: grant.id };
  }

  private async fromOAuthToken(
    req: Request,
    userId: string | undefined,
    scope: IntegrationScope | undefined,
  ): Promise<CreditCaller> {
    const caller = await this.authentication
      .authenticateUser(bearerCredential(req.headers), requestContextOf(req), ['oauth_token'])
      .catch((error: unknown) => {
        if (error instanceof DomainError && ['not_found', 'gone'].includes(error.kind)) {
          throw new CreditCallerUnauthenticatedError(error.message);
        }
        throw error;
      });
    const client = caller.client!;
    if (!client.audience.includes(this.config.oauth.resource)) {
      throw new CreditCallerUnauthenticatedError(
        'This access token is for another resource, not the credit API',
      );
    }
    const needed = scope ? OAUTH_SCOPE_OF[scope] : undefined;
    if (needed && !client.scopes.includes(needed)) {
      throw new CreditCallerForbiddenError(`This access token lacks the ${needed} scope`, {
        required_scope: needed,
      });
    }
    this.checkUserHeader(userId, caller.user.id, 'the user of this access token');
    await this.limiter.hit(
      `credits-user:${caller.user.id}`,
      this.config.rateLimitPerMinute,
      MINUTE_MS,
    );
    return {
      userId: caller.user.id,
      actor: `oauth:${client.id}`,
      via: 'oauth',
      credentialId: client.grantId,
      grantId: client.grantId,
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
    this.checkUserHeader(userId, session.user.id, 'the user of this session');
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

  /** `X-User-ID` is optional with a user's credential, and must then be that user. */
  private checkUserHeader(header: string | undefined, userId: string, whose: string): void {
    if (header === undefined) return;
    if (!isUuid(header)) throw new InvalidUserIdHeaderError(false);
    if (header.toLowerCase() !== userId) {
      throw new CreditCallerForbiddenError(`X-User-ID is not ${whose}`);
    }
  }
}
