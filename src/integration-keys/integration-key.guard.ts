import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { IntegrationScope } from './entities/integration-key.entity';
import type { IntegrationKeyRecord } from './integration-key.repository';
import {
  IntegrationKeysService,
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

export function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface RequestWithIntegrationKey extends Request {
  integrationKey?: IntegrationKeyRecord;
}

/** Routes only an integration (a third-party service) calls: `X-API-Key` with the route's scope. */
@Injectable()
export class IntegrationKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IntegrationKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RequestWithIntegrationKey>();
    const raw = headerValue(req, 'x-api-key');
    if (!raw) throw new IntegrationKeyUnauthenticatedError('X-API-Key is required');
    req.integrationKey = await this.keys.authenticateCaller(
      raw,
      req.ip ?? 'unknown',
      requiredScope(this.reflector, context),
    );
    return true;
  }
}
