import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { McpConfig } from '../config/variables/mcp';
import { HoldLimitError } from '../credits/credits.errors';
import { ChatBilling, ChatPayer } from './chat-billing';
import { asChatError, ChatError } from './chat.types';
import { ChatModel } from './entities/chat-model.entity';
import { costUnits, formatLedger, Prices } from './pricing';
import { framed, TokenEstimator } from './token-estimator';

/** A chat let in: its credit hold (which is also its stream slot), and the token counts behind it. */
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
 * Whether a chat may run: the per-user limits and the credit hold, taken in one money-core call
 * while the request is already on its way upstream. A chat's hold is its stream slot: the core
 * counts the user's active chat holds (MCP_MAX_CONCURRENT_STREAMS) and the chat holds taken in
 * the last minute (MCP_MESSAGES_PER_MINUTE) under the account's lock, so the limits are exact
 * across instances and need no round trip of their own. In-process state answers first what it
 * can without I/O: this instance's running chats of the user, a rate refusal still in force, and
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

  /** A chat counted by `enter` ended: refused, or admitted and its hold settled. */
  leave(userId: string): void {
    const running = (this.runningByUser.get(userId) ?? 1) - 1;
    if (running > 0) this.runningByUser.set(userId, running);
    else this.runningByUser.delete(userId);
  }

  /**
   * The token estimate, then the hold with the limits (one SQL call). Never rejects: a refusal
   * is the admission's error.
   */
  async admit(request: AdmissionRequest): Promise<Admission> {
    try {
      return await this.hold(request);
    } catch (refusal) {
      return {
        ok: false,
        error: asChatError(this.limitError(request.payer.userId, refusal), this.logger, {
          requestId: request.requestId,
        }),
      };
    }
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
      limits: {
        concurrent: this.config.maxConcurrentStreams,
        perMinute: this.config.messagesPerMinute,
      },
    });
    return { ok: true, holdId, holdExpiresAt: expiresAt, reservedUnits, turnTokens, inputEstimate };
  }

  private reserveInput(model: ChatModel, inputEstimate: number): number {
    const estimate = BigInt(this.tokens.forProvider(model.provider, inputEstimate));
    return Number((estimate * INPUT_MARGIN_PERCENT + 99n) / 100n + INPUT_MARGIN_TOKENS);
  }

  /** The chat's words for a refused limit; a rate refusal is also remembered here. */
  private limitError(userId: string, refusal: unknown): unknown {
    if (!(refusal instanceof HoldLimitError)) return refusal;
    if (refusal.limit === 'concurrent') return this.slotsError();
    const retryAfterSeconds = refusal.retryAfterSeconds ?? 1;
    this.rateRefusedUntil.set(userId, this.clock.now().getTime() + retryAfterSeconds * 1000);
    if (this.rateRefusedUntil.size > 10_000) this.pruneRefusals();
    return this.rateError(retryAfterSeconds);
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
