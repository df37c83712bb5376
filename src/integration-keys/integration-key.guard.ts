import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthenticationService } from '../auth/authentication/authentication.service';
import type { IntegrationCaller } from '../auth/authentication/caller';
import { apiKeyCredential } from '../auth/authentication/credentials';
import { requestContextOf } from '../common/http/request-context';
import type { IntegrationScope } from './integration-scopes';
import {
  IntegrationKeyScopeError,
  IntegrationKeyUnauthenticatedError,
} from './integration-keys.service';

const SCOPE = 'integration-keys:requiredScope';
/** The integration-key scope a route needs. */
export const RequireScope = (scope: IntegrationScope) => SetMetadata(SCOPE, scope);

export function requiredScope(
  reflector: Reflector,
  context: ExecutionContext,
): IntegrationScope | undefined {
  return reflector.get<IntegrationScope | undefined>(SCOPE, context.getHandler());
}

/**
 * The integration behind `X-API-Key` (AuthenticationService), which must hold `scope` when the
 * route names one (403 otherwise).
 */
export async function authenticateIntegration(
  authentication: AuthenticationService,
  req: Request,
  scope: IntegrationScope | undefined,
): Promise<IntegrationCaller> {
  const caller = await authentication.authenticate(
    apiKeyCredential(req.headers),
    requestContextOf(req),
    ['integration_key'],
  );
  if (caller.type !== 'integration')
    throw new IntegrationKeyUnauthenticatedError('Invalid API key');
  if (scope && !caller.integration.scopes.includes(scope))
    throw new IntegrationKeyScopeError(scope);
  return caller;
}

export interface RequestWithIntegrationKey extends Request {
  integrationKey?: IntegrationCaller['integration'];
}

/** Routes only an integration (a third-party service) calls: `X-API-Key` with the route's scope. */
@Injectable()
export class IntegrationKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RequestWithIntegrationKey>();
    if (!req.headers['x-api-key']) {
      throw new IntegrationKeyUnauthenticatedError('X-API-Key is required');
    }
    const caller = await authenticateIntegration(
      this.authentication,
      req,
      requiredScope(this.reflector, context),
    );
    req.integrationKey = caller.integration;
    return true;
  }
}
