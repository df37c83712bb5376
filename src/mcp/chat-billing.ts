import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { CreditHoldsService } from '../credits/credit-holds.service';
import { ChatError } from './chat.types';
import { ledgerUnits } from './pricing';

/** The metadata of a chat's ledger row (snake_case, like all ledger metadata the hub writes). */
export interface ChatCharge {
  request_id: string;
  model: string;
  provider: string;
  input_tokens: number;
  output_tokens: number;
  conversation_id: string;
}

/**
 * The chat gateway's actor on the ledger: its holds and `chat` rows are its own, so a user's
 * session (actor `user:<id>`) can neither settle those holds nor refund those rows (S-02); only
 * an operator refunds a `chat` row.
 */
export const CHAT_ACTOR = 'system:chat';

/**
 * The chat gateway's use of the Credits holds: reserve before, capture or release after. Keeps
 * what each result said about the user's available balance: an in-process view that lets a chat
 * that obviously cannot be paid skip the parallel upstream request (the hold still decides).
 */
@Injectable()
export class ChatBilling {
  private readonly available = new Map<string, bigint>();

  constructor(private readonly holds: CreditHoldsService) {}

  /** The user's available balance as last seen on this instance, in ledger units; or undefined. */
  knownAvailable(userId: string): bigint | undefined {
    return this.available.get(userId);
  }

  /** Records the available balance a money move reported for a user. */
  noteAvailable(userId: string, available: string): void {
    if (this.available.size >= 100_000) this.available.clear();
    this.available.set(userId, ledgerUnits(available));
  }

  /**
   * Sets `amount` aside for one chat; `INSUFFICIENT_CREDITS` when it is not available. The hold
   * lapses at `expiresAt` (MCP_HOLD_TTL): after that it can no longer be captured.
   */
  async reserve(input: {
    userId: string;
    amount: string;
    ttlMs: number;
    requestId: string;
    model: string;
  }): Promise<{ holdId: string; expiresAt: Date }> {
    try {
      const hold = await this.holds.reserve({
        userId: input.userId,
        amount: input.amount,
        ttlSeconds: Math.max(1, Math.ceil(input.ttlMs / 1000)),
        service: 'chat',
        metadata: { request_id: input.requestId, model: input.model },
        actor: CHAT_ACTOR,
      });
      this.noteAvailable(input.userId, hold.available);
      return { holdId: hold.holdId, expiresAt: new Date(hold.expiresAt) };
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'payment_required') {
        // The refusal names what is available (as `balance`): remember it.
        const available = error.details.balance;
        if (typeof available === 'string') this.noteAvailable(input.userId, available);
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
    userId: string,
    holdId: string,
    amount: string,
    charge: ChatCharge,
  ): Promise<{ balance: string; transactionId: string | null }> {
    const result = await this.holds.capture(holdId, {
      amount,
      type: 'chat',
      metadata: { ...charge },
      userId,
    });
    this.noteAvailable(userId, result.available);
    return { balance: result.balance, transactionId: result.transactionId };
  }

  async release(userId: string, holdId: string): Promise<void> {
    this.noteAvailable(userId, (await this.holds.release(holdId, { userId })).available);
  }
}
