import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthenticatedUser, RequestWithUser } from './decorators/current-user.decorator';
import { Roles } from './decorators/roles.decorator';
import { RolesGuard } from './guards/roles.guard';
import type { AuditRecord } from '../common/audit/audit-log.service';
import { RequestContext, requestContextOf } from '../common/http/request-context';

/**
 * Who may call: a JWT (`Authorization: Bearer`) of an active account with the role `admin`.
 * Put on every admin controller; the admin e2e suite walks every `/api/admin` route to prove it.
 */
export function AdminOnly(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    UseGuards(RolesGuard),
    Roles('admin'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No, invalid or expired access token.' }),
    ApiForbiddenResponse({ description: 'Not an admin, or the account is disabled.' }),
  );
}

/** An admin making a call: who (from the access token) and the request the audit log records. */
export interface Operator extends AuthenticatedUser {
  request: RequestContext;
}

/** The calling admin; only on routes behind `AdminOnly()`. */
export const CurrentOperator = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Operator => {
    const req = ctx.switchToHttp().getRequest<Request & RequestWithUser>();
    return { ...req.user!, request: requestContextOf(req) };
  },
);

/** The ledger's and idempotency's name for an operator. */
export function adminActor(admin: AuthenticatedUser): string {
  return `admin:${admin.id}`;
}

/** The audit log's actor and request for an operator's change. */
export function auditedBy(admin: Operator): Pick<AuditRecord, 'actor' | 'request'> {
  return { actor: { id: admin.id, type: 'admin' }, request: admin.request };
}
