import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GrantsModule } from '../grants/grants.module';
import { IntegrationKeysModule } from '../integration-keys/integration-keys.module';
import { SessionModule } from '../session/session.module';
import { CreditCallerGuard } from './callers/credit-caller.guard';
import { CreditCore } from './core/credit-core';
import { CreditEvents } from './events/credit-events';
import { CreditHoldsRepository } from './credit-holds.repository';
import { CreditHoldsService } from './credit-holds.service';
import { CreditLedgerRepository } from './credit-ledger.repository';
import { CreditLedgerService } from './credit-ledger.service';
import { CreditAmountRules } from './credit-rules';
import { CreditsActivityController } from './credits-activity.controller';
import { CreditsApiController } from './credits-api.controller';
import { CreditsUserController } from './credits-user.controller';
import { CreditMetrics } from './core/credit-metrics';
import { CreditsHousekeeping } from './credits-housekeeping';
import { LedgerReportsRepository } from './ledger-reports.repository';
import { LedgerReportsService } from './ledger-reports.service';
import { OpenAccountOnSignup } from './open-account-on-signup';
import { PromoCodesRepository } from './promo/promo-codes.repository';
import { PromoCodesService } from './promo/promo-codes.service';

/**
 * The credit ledger, holds, idempotency keys and the credit API. Opens the credit account when
 * Auth announces a sign-up; exports what Admin (top-ups, refunds) and Mcp (holds) use.
 */
@Module({
  imports: [AuthModule, SessionModule, IntegrationKeysModule, GrantsModule],
  controllers: [CreditsApiController, CreditsUserController, CreditsActivityController],
  providers: [
    CreditAmountRules,
    CreditCore,
    CreditEvents,
    CreditMetrics,
    CreditLedgerRepository,
    CreditLedgerService,
    CreditHoldsRepository,
    CreditHoldsService,
    CreditCallerGuard,
    CreditsHousekeeping,
    PromoCodesRepository,
    PromoCodesService,
    LedgerReportsRepository,
    LedgerReportsService,
    OpenAccountOnSignup,
  ],
  exports: [
    CreditEvents,
    LedgerReportsService,
    CreditLedgerService,
    CreditHoldsService,
    PromoCodesService,
    CreditCallerGuard,
  ],
})
export class CreditsModule {}
