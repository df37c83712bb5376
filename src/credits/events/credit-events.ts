import { Injectable } from '@nestjs/common';
import { TypedEvents } from '../../common/events/typed-events';

/**
 * A user's account moved (deduct, refund, top-up, adjustment, promo, chat charge, hold taken or
 * released), after it committed. Amounts are decimal strings (credits).
 */
export interface LedgerChanged {
  userId: string;
  balance: string;
  available: string;
  held: string;
  /** The ledger row written, if the move wrote one (holds do not). */
  transactionId: string | null;
  /**
   * The account's version after the move: of two announcements of one account, the higher is
   * the newer state (they may arrive in another order than the moves committed).
   */
  version: number;
}

export interface CreditEventMap {
  'ledger.changed': LedgerChanged;
}

/** Events Credits publishes for modules above it (the chat gateway pushes balances live). */
@Injectable()
export class CreditEvents extends TypedEvents<CreditEventMap> {}
