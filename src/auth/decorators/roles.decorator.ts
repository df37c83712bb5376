import { SetMetadata } from '@nestjs/common';
import { UserRole } from '../entities/user.entity';

export const ROLES_KEY = 'auth:roles';

/** Only callers with one of these roles pass `RolesGuard` (which authenticates the JWT itself if needed). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);
