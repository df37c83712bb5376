import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { HoldLimits } from '../credits/core/credit-operations';
import { CreditHoldsService, HoldOwner } from '../credits/credit-holds.service';
import { GrantLimitError, GrantRevokedError } from '../credits/credits.errors';
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
 * Who pays for a chat: the user, and, on an app's socket (an OAuth access token), the user's
 * spending grant to that app, which the money core checks and counts in the same call.
 */
export interface ChatPayer {
  userId: string;
  grantId?: string;
}

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
   * Sets `amount` aside for one chat; `INSUFFICIENT_CREDITS` when it is not available,
   * `GRANT_LIMIT_REACHED` when the payer's grant would pass a cap. The hold lapses at `expiresAt`
   * (MCP_HOLD_TTL): after that it can no longer be captured.
   */
  async reserve(input: {
    payer: ChatPayer;
    amount: string;
    ttlMs: number;
    requestId: string;
    model: string;
    /** The chat limits, taken with the hold; past one, `HoldLimitError` goes to the caller. */
    limits: HoldLimits;
  }): Promise<{ holdId: string; expiresAt: Date }> {
    const { userId, grantId } = input.payer;
    try {
      const hold = await this.holds.reserve({
        userId,
        amount: input.amount,
        ttlSeconds: Math.max(1, Math.ceil(input.ttlMs / 1000)),
        service: 'chat',
        metadata: { request_id: input.requestId, model: input.model },
        actor: CHAT_ACTOR,
        grantId,
        // The first token waits for this hold: its commit does not also wait for the disk. A
        // crash of PostgreSQL may forget it; the chat's charge then finds no hold (logged).
        awaitFlush: false,
        limits: input.limits,
      });
      this.noteAvailable(userId, hold.available);
      return { holdId: hold.holdId, expiresAt: new Date(hold.expiresAt) };
    } catch (error) {
      if (error instanceof GrantLimitError) {
        const { cap, remaining } = error.details;
        throw new ChatError(
          'GRANT_LIMIT_REACHED',
          `${error.message} (${String(remaining)} of ${String(cap)} credits left)`,
        );
      }
      if (error instanceof GrantRevokedError) throw new ChatError('UNAUTHENTICATED', error.message);
      if (error instanceof DomainError && error.kind === 'payment_required') {
        // The refusal names what is available (as `balance`): remember it.
        const available = error.details.balance;
        if (typeof available === 'string') this.noteAvailable(userId, available);
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

  /**
   * Charges `amount` (≤ the hold) as one `chat` ledger row, counted on the payer's grant; the
   * balance after and the row.
   */
  async capture(
    payer: ChatPayer,
    holdId: string,
    amount: string,
    charge: ChatCharge,
  ): Promise<{ balance: string; transactionId: string | null }> {
    const result = await this.settle(payer, (owner) =>
      this.holds.capture(holdId, { amount, type: 'chat', metadata: { ...charge }, owner }),
    );
    this.noteAvailable(payer.userId, result.available);
    return { balance: result.balance, transactionId: result.transactionId };
  }

  async release(payer: ChatPayer, holdId: string): Promise<void> {
    const result = await this.settle(payer, (owner) => this.holds.release(holdId, { owner }));
    this.noteAvailable(payer.userId, result.available);
  }

  /**
   * Settles a chat's hold as its owner, on the payer's grant. A grant revoked while its chat ran
   * refuses the settlement; what was delivered until then is still settled, on the user alone
   * (the revoked grant counts nothing more).
   */
  private async settle<T>(payer: ChatPayer, run: (owner: HoldOwner) => Promise<T>): Promise<T> {
    const owner: HoldOwner = { userId: payer.userId, actor: CHAT_ACTOR };
    if (!payer.grantId) return run(owner);
    try {
      return await run({ ...owner, grantId: payer.grantId });
    } catch (error) {
      if (error instanceof GrantRevokedError) return run(owner);
      throw error;
    }
  }
}
