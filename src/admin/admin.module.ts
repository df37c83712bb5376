import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CreditsModule } from '../credits/credits.module';
import { IntegrationKeysModule } from '../integration-keys/integration-keys.module';
import { SessionModule } from '../session/session.module';
import { AdminApiKeysController } from './admin-api-keys.controller';
import { AdminApiKeysService } from './admin-api-keys.service';
import { AdminAuditLogController } from './admin-audit-log.controller';
import { AdminCreditsController } from './admin-credits.controller';
import { AdminCreditsService } from './admin-credits.service';
import { AdminPromoCodesController } from './admin-promo-codes.controller';
import { AdminPromoCodesService } from './admin-promo-codes.service';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';

/**
 * The operator's REST API under /api/admin (admins only). It owns no tables and no SQL: every
 * change goes through the owning module's service (Auth, Session, Credits) inside one transaction
 * together with its audit row.
 */
@Module({
  imports: [AuthModule, CreditsModule, SessionModule, IntegrationKeysModule],
  controllers: [
    AdminCreditsController,
    AdminUsersController,
    AdminPromoCodesController,
    AdminApiKeysController,
    AdminAuditLogController,
  ],
  providers: [AdminCreditsService, AdminUsersService, AdminPromoCodesService, AdminApiKeysService],
})
export class AdminModule {}
