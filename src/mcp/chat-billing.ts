import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { CreditHoldsService } from '../credits/credit-holds.service';
import { ChatError } from './chat.types';

export interface ChatCharge {
  requestId: string;
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  [extra: string]: unknown;
}

/**
 * The chat gateway's actor on the ledger: its holds and `chat` rows are its own, so a user's
 * session (actor `user:<id>`) can neither settle those holds nor refund those rows (S-02); only
 * an operator refunds a `chat` row.
 */
export const CHAT_ACTOR = 'system:chat';

/** The chat gateway's use of the Credits holds: reserve before, capture or release after. */
@Injectable()
export class ChatBilling {
  constructor(private readonly holds: CreditHoldsService) {}

  /** Sets `amount` aside for one chat; `INSUFFICIENT_CREDITS` when it is not available. */
  async reserve(input: {
    userId: string;
    amount: string;
    ttlMs: number;
    requestId: string;
    model: string;
  }): Promise<string> {
    try {
      const hold = await this.holds.reserve({
        userId: input.userId,
        amount: input.amount,
        ttlSeconds: Math.max(1, Math.ceil(input.ttlMs / 1000)),
        service: 'chat',
        metadata: { requestId: input.requestId, model: input.model },
        actor: CHAT_ACTOR,
      });
      return hold.holdId;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'payment_required') {
        throw new ChatError('INSUFFICIENT_CREDITS', error.message);
      }
      if (
        error instanceof DomainError &&
        (error.kind === 'not_found' || error.kind === 'forbidden')
      ) {
        throw new ChatError('INSUFFICIENT_CREDITS', `No usable credit account: ${error.message}`);
      }
      throw error;
    }
  }

  /** Charges `amount` (≤ the hold) as one `chat` ledger row; the balance after and the row. */
  async capture(
    holdId: string,
    amount: string,
    charge: ChatCharge,
  ): Promise<{ balance: string; transactionId: string | null }> {
    const result = await this.holds.capture(holdId, { amount, type: 'chat', metadata: charge });
    return { balance: result.balance, transactionId: result.transactionId };
  }

  async release(holdId: string): Promise<void> {
    await this.holds.release(holdId);
  }
}
