import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InsufficientRoleError } from '../auth.errors';
import { RequestWithUser } from '../decorators/current-user.decorator';
import { ROLES_KEY } from '../decorators/roles.decorator';
import { UserRole } from '../entities/user.entity';
import { JwtAuthGuard } from './jwt-auth.guard';

/**
 * Enforces `@Roles(...)` on a handler or controller. Authenticates first when `JwtAuthGuard` has
 * not run yet, so `@UseGuards(RolesGuard)` alone is safe. No `@Roles` → any authenticated user.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtAuthGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.jwt.canActivate(context);
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const user = context.switchToHttp().getRequest<RequestWithUser>().user!;
    if (roles?.length && !roles.includes(user.role)) throw new InsufficientRoleError(roles);
    return true;
  }
}
