import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { UserCaller } from '../authentication/caller';
import { UserRole } from '../entities/user.entity';

/** The caller as `JwtAuthGuard` found it in the database on this request. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  role: UserRole;
}

export interface RequestWithUser {
  headers: Record<string, string | string[] | undefined>;
  user?: AuthenticatedUser;
  /** The whole caller (credential, login id, expiry) behind `user`. */
  caller?: UserCaller;
}

/** The authenticated caller; only on routes behind `JwtAuthGuard` or `RolesGuard`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedUser | undefined =>
    ctx.switchToHttp().getRequest<RequestWithUser>().user,
);
