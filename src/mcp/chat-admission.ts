import { Injectable, Logger } from '@nestjs/common';
import { RateLimiterService } from '../rate-limit/rate-limiter.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { McpConfig } from '../config/variables/mcp';
import { ChatBilling, ChatPayer } from './chat-billing';
import { asChatError, ChatError } from './chat.types';
import { ChatModel } from './entities/chat-model.entity';
import { costUnits, formatLedger, Prices } from './pricing';
import { StreamSlots } from './stream-slots';
import { framed, TokenEstimator } from './token-estimator';

/** A chat let in: its credit hold and stream slot, and the token counts behind the hold. */
export interface Admitted {
  ok: true;
  holdId: string;
  /** When the hold lapses (MCP_HOLD_TTL): the chat must be charged before. */
  holdExpiresAt: Date;
  reservedUnits: bigint;
  /** Content tokens of each message of the new turn, in order. */
  turnTokens: number[];
  /** o200k input tokens of everything sent upstream, framing included. */
  inputEstimate: number;
}
export type Admission = Admitted | { ok: false; error: ChatError };

export interface AdmissionRequest {
  payer: ChatPayer;
  requestId: string;
  slotId: string;
  candidates: ChatModel[];
  maxTokens: number;
  historyTokens: number[];
  turnTokens: Promise<number[]>;
}

/** Reserve for a little more input than estimated: tokenizers and framing differ by model. */
const INPUT_MARGIN_PERCENT = 110n;
const INPUT_MARGIN_TOKENS = 16n;

export function pricesOf(model: ChatModel): Prices {
  return { inputPer1k: model.inputPricePer1k, outputPer1k: model.outputPricePer1k };
}

/**
 * Whether a chat may run: the per-user limits and the credit hold. The authoritative checks
 * (the message rate and stream slots in Redis across instances, the hold in PostgreSQL) run
 * while the request is already on its way upstream; in-process state answers first what it can
 * without I/O: this instance's running chats of the user, a rate refusal still in force, and
 * whether the known available balance cannot even pay the answer (then nothing goes upstream
 * before the hold is taken).
 */
@Injectable()
export class ChatAdmission {
  private readonly logger = new Logger('McpChat');
  private readonly config: McpConfig;
  private readonly runningByUser = new Map<string, number>();
  private readonly rateRefusedUntil = new Map<string, number>();

  constructor(
    config: AppConfig,
    private readonly rateLimiter: RateLimiterService,
    private readonly slots: StreamSlots,
    private readonly billing: ChatBilling,
    private readonly tokens: TokenEstimator,
    private readonly clock: Clock,
  ) {
    this.config = config.mcp;
  }

  /**
   * The in-process checks, no I/O. Refuses when this instance alone already runs the user's
   * limit of chats or the user's message rate was refused for the current window; otherwise
   * counts the chat as running here (`leave` gives it back) and says whether the known balance
   * looks too small, so the caller takes the hold before going upstream.
   */
  enter(userId: string, candidates: ChatModel[], maxTokens: number): { likelyShort: boolean } {
    const refusedUntil = this.rateRefusedUntil.get(userId);
    const now = this.clock.now().getTime();
    if (refusedUntil !== undefined && refusedUntil > now) {
      throw this.rateError(Math.ceil((refusedUntil - now) / 1000));
    }
    const running = this.runningByUser.get(userId) ?? 0;
    if (running >= this.config.maxConcurrentStreams) throw this.slotsError();
    this.runningByUser.set(userId, running + 1);
    const known = this.billing.knownAvailable(userId);
    // The cheapest the answer alone can be; the hold also covers the input.
    const floor = candidates
      .map((m) => costUnits(pricesOf(m), 0, maxTokens))
      .reduce((a, b) => (a < b ? a : b));
    return { likelyShort: known !== undefined && known < floor };
  }

  /** A chat counted by `enter` ended before it was admitted (or was refused). */
  leave(userId: string): void {
    const running = (this.runningByUser.get(userId) ?? 1) - 1;
    if (running > 0) this.runningByUser.set(userId, running);
    else this.runningByUser.delete(userId);
  }

  /**
   * The cross-instance limits (one Redis round trip) and, at the same time, the token estimate
   * and the hold (one SQL call). Whatever one refusal leaves taken is given back; never rejects.
   */
  async admit(request: AdmissionRequest): Promise<Admission> {
    const { payer, slotId } = request;
    const { userId } = payer;
    const limits = Promise.all([
      this.rateLimiter.consume(`mcp:messages:${userId}`, this.config.messagesPerMinute, 60_000),
      this.slots.acquire(userId, slotId, this.config.maxConcurrentStreams, this.config.holdTtlMs),
    ]);
    const hold = this.hold(request);
    const [limitsResult, holdResult] = await Promise.allSettled([limits, hold]);
    const [rate, slotTaken] = limitsResult.status === 'fulfilled' ? limitsResult.value : [];
    const held = holdResult.status === 'fulfilled' ? holdResult.value : undefined;
    let refusal: unknown;
    if (limitsResult.status === 'rejected') refusal = limitsResult.reason;
    else if (!rate!.allowed) {
      const windowEnd = this.clock.now().getTime() + rate!.retryAfterSeconds * 1000;
      this.rateRefusedUntil.set(userId, windowEnd);
      if (this.rateRefusedUntil.size > 10_000) this.pruneRefusals();
      refusal = this.rateError(rate!.retryAfterSeconds);
    } else if (!slotTaken) refusal = this.slotsError();
    else if (holdResult.status === 'rejected') refusal = holdResult.reason;
    if (refusal === undefined) return held!;
    await Promise.allSettled([
      slotTaken ? this.slots.release(userId, slotId) : undefined,
      held ? this.billing.release(payer, held.holdId) : undefined,
    ]);
    return {
      ok: false,
      error: asChatError(refusal, this.logger, { requestId: request.requestId }),
    };
  }

  /** An admitted chat has ended: it no longer runs here, and its stream slot is given back. */
  async finish(userId: string, slotId: string): Promise<void> {
    this.leave(userId);
    await this.slots.release(userId, slotId);
  }

  private async hold(request: AdmissionRequest): Promise<Admitted> {
    const turnTokens = await request.turnTokens;
    const inputEstimate = framed([...request.historyTokens, ...turnTokens]);
    const reservedUnits = request.candidates
      .map((m) => costUnits(pricesOf(m), this.reserveInput(m, inputEstimate), request.maxTokens))
      .reduce((a, b) => (a > b ? a : b));
    const { holdId, expiresAt } = await this.billing.reserve({
      payer: request.payer,
      amount: formatLedger(reservedUnits),
      ttlMs: this.config.holdTtlMs,
      requestId: request.requestId,
      model: request.candidates[0].id,
    });
    return { ok: true, holdId, holdExpiresAt: expiresAt, reservedUnits, turnTokens, inputEstimate };
  }

  private reserveInput(model: ChatModel, inputEstimate: number): number {
    const estimate = BigInt(this.tokens.forProvider(model.provider, inputEstimate));
    return Number((estimate * INPUT_MARGIN_PERCENT + 99n) / 100n + INPUT_MARGIN_TOKENS);
  }

  private rateError(retryAfterSeconds: number): ChatError {
    return new ChatError(
      'TOO_MANY_STREAMS',
      `More than ${this.config.messagesPerMinute} chats a minute; retry in ${retryAfterSeconds} s`,
    );
  }

  private slotsError(): ChatError {
    return new ChatError(
      'TOO_MANY_STREAMS',
      `At most ${this.config.maxConcurrentStreams} chats may stream at once`,
    );
  }

  private pruneRefusals(): void {
    const now = this.clock.now().getTime();
    for (const [userId, until] of this.rateRefusedUntil) {
      if (until <= now) this.rateRefusedUntil.delete(userId);
    }
  }
}
