import { applyDecorators, createParamDecorator, ExecutionContext, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthenticatedUser, RequestWithUser } from '../auth/decorators/current-user.decorator';
import { Roles } from '../auth/decorators/roles.decorator';
import { RolesGuard } from '../auth/guards/roles.guard';
import type { AuditRecord } from '../common/audit/audit-log.service';
import { DomainError } from '../common/errors/domain-error';
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

export class InvalidAdminRequestError extends DomainError {
  readonly kind = 'invalid';
}

export class AdminUserNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('User not found', { userId: id });
  }
}

/** An admin may not lock themself out: no self-demotion, no self-disabling. */
export class SelfLockoutError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('An admin cannot demote or disable their own account');
  }
}

export class AdminSessionNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('Session not found', { sessionId: id });
  }
}

/** ISO 8601 query value → Date (the DTO already checked the format). */
export function optionalDate(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}
