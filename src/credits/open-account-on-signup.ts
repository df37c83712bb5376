import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AuthEvents } from '../auth/events/auth-events';
import { CreditLedgerService } from './credit-ledger.service';

/**
 * Every new account starts with a credit account and its `signup` ledger row
 * (SIGNUP_BONUS_CREDITS), written in the sign-up transaction: Credits listens to Auth's
 * `user.signed_up` rather than Auth calling Credits. With SIGNUP_BONUS_AT_REGISTRATION=false
 * (S-19) an unverified account starts at 0 and gets the bonus on `user.email_verified`.
 */
@Injectable()
export class OpenAccountOnSignup implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly events: AuthEvents,
    private readonly ledger: CreditLedgerService,
  ) {}

  onModuleInit(): void {
    const stopSignUp = this.events.on('user.signed_up', async ({ user, tx }) => {
      await this.ledger.openAccount(tx, user.id, { withBonus: user.emailVerified });
    });
    const stopVerified = this.events.on('user.email_verified', async ({ userId, tx }) => {
      await this.ledger.grantBonusOnVerifiedEmail(tx, userId);
    });
    this.unsubscribe = () => {
      stopSignUp();
      stopVerified();
    };
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
