import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RateLimiterService } from '../common/rate-limit/rate-limiter.service';
import { AppConfig } from '../config/app-config';
import {
  AnswerMessage,
  MessageStatus,
  TurnMessage,
} from '../conversations/conversations.repository';
import {
  ConversationNotFoundError,
  ConversationsService,
} from '../conversations/conversations.service';
import { McpConfig } from '../config/variables/mcp';
import { ChatBilling } from './chat-billing';
import { parseChatStart } from './chat-payload';
import {
  ChatAck,
  ChatChunkEvent,
  ChatEndEvent,
  ChatError,
  ChatErrorEvent,
  ChatMessage,
  ChatStartPayload,
} from './chat.types';
import { ChatModel } from './entities/chat-model.entity';
import { ModelsService, targetOf } from './models/models.service';
import { costUnits, formatLedger, Prices } from './pricing';
import { PROVIDER_KEY_VARIABLE, ProviderRegistry } from './providers/provider-registry';
import { framed, MESSAGE_FRAMING_TOKENS, TokenEstimator } from './token-estimator';
import { StreamSlots } from './stream-slots';
import { UpstreamRunner, UpstreamTarget } from './upstream-runner';

/** Where a chat's events go (the socket, in production). */
export interface ChatSink {
  chunk(event: ChatChunkEvent): void;
  end(event: ChatEndEvent): void;
  error(event: ChatErrorEvent): void;
}

/** The ack for `chat:start`, and the stream to run once the ack has been sent. */
export interface StartedChat {
  ack: ChatAck;
  run?: () => Promise<void>;
}

interface RunningChat {
  controller: AbortController;
  done?: Promise<void>;
}

interface PreparedChat {
  payload: ChatStartPayload;
  userId: string;
  /** What goes upstream: the conversation's stored history, then the new turn. */
  messages: ChatMessage[];
  conversation: { id: string; isNew: boolean; turn: TurnMessage[] };
  candidates: ChatModel[];
  maxTokens: number;
  /** The messages' o200k token count, for the hold and when a provider reports no usage. */
  inputEstimate: number;
  holdId: string;
  reservedUnits: bigint;
  slotId: string;
}

/** The abort reason of chats cut by a shutdown, and the message their clients get. */
const SHUTTING_DOWN = new ChatError(
  'CANCELLED',
  'The server is shutting down: charged for what was delivered; reconnect to continue',
);

/** Reserve for a little more input than estimated: tokenizers and framing differ by model. */
const INPUT_MARGIN_PERCENT = 110n;
const INPUT_MARGIN_TOKENS = 16n;

/**
 * One chat from `chat:start` to its last event: validation, limits, the credit hold, the
 * upstream stream and the charge. Charging policy (also in docs/architecture.md):
 * - before the call, a hold for the estimated input plus `maxTokens` output at the dearest of the
 *   model and its fallback; not available → `INSUFFICIENT_CREDITS` and no upstream call;
 * - finished: the provider's reported usage × the answering model's prices, rounded up to
 *   0.0001, captured as one `chat` ledger row; the rest of the hold is released;
 * - cancelled or disconnected: the upstream request is aborted at once and the prompt plus the
 *   output delivered so far is charged (own token count where the provider reported none);
 * - failed after some output (e.g. a stalled stream → `TIMEOUT`): the same partial charge;
 * - failed with no output: the hold is released, nothing is charged;
 * - the server dies: the hold expires (MCP_HOLD_TTL) and nothing is charged.
 */
@Injectable()
export class ChatService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('McpChat');
  private readonly running = new Map<string, Map<string, RunningChat>>();
  private readonly config: McpConfig;
  private closing = false;

  constructor(
    config: AppConfig,
    private readonly models: ModelsService,
    private readonly providers: ProviderRegistry,
    private readonly runner: UpstreamRunner,
    private readonly tokens: TokenEstimator,
    private readonly billing: ChatBilling,
    private readonly slots: StreamSlots,
    private readonly rateLimiter: RateLimiterService,
    private readonly conversations: ConversationsService,
  ) {
    this.config = config.mcp;
  }

  /** Validates and prepares a chat; the returned `run` streams it after the ack went out. */
  async start(
    userId: string,
    connectionId: string,
    raw: unknown,
    sink: ChatSink,
  ): Promise<StartedChat> {
    if (this.closing) return failed('PROVIDER_UNAVAILABLE', SHUTTING_DOWN.message);
    const parsed = parseChatStart(raw, this.config);
    if (!parsed.ok) return failed('INVALID_REQUEST', parsed.reason);
    const payload = parsed.value;
    const chats = this.chatsOf(connectionId);
    if (chats.has(payload.requestId)) {
      return failed('INVALID_REQUEST', `requestId "${payload.requestId}" is already running`);
    }
    const chat: RunningChat = { controller: new AbortController() };
    chats.set(payload.requestId, chat);
    let prepared: PreparedChat;
    try {
      prepared = await this.prepare(userId, connectionId, payload);
    } catch (error) {
      this.forget(connectionId, payload.requestId);
      const chatError = this.asChatError(error);
      return failed(chatError.code, chatError.message);
    }
    return {
      ack: { ok: true, conversation_id: prepared.conversation.id },
      run: () => {
        chat.done = this.stream(prepared, chat.controller.signal, sink).finally(() => {
          this.forget(connectionId, payload.requestId);
          return this.slots.release(userId, prepared.slotId);
        });
        return chat.done;
      },
    };
  }

  /** Aborts one running chat of this connection; false when there is none by that id. */
  cancel(connectionId: string, requestId: string): boolean {
    const chat = this.running.get(connectionId)?.get(requestId);
    chat?.controller.abort();
    return chat !== undefined;
  }

  /** The client went away: abort its chats (each is charged for what it delivered). */
  disconnected(connectionId: string): void {
    for (const chat of this.running.get(connectionId)?.values() ?? []) chat.controller.abort();
  }

  /**
   * Shutdown (SIGTERM): new chats are refused at once; running ones may finish until `graceMs`
   * has passed, then the rest are cancelled and charged for what they delivered. Resolves once
   * every charge is written.
   */
  async drain(graceMs: number): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.runningChats().map((chat) => chat.done ?? Promise.resolve())),
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    await this.beforeApplicationShutdown();
  }

  /** On shutdown, abort what is running and wait for the charges to be written. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const chats = this.runningChats();
    for (const chat of chats) chat.controller.abort(SHUTTING_DOWN);
    await Promise.allSettled(chats.map((chat) => chat.done ?? Promise.resolve()));
  }

  private runningChats(): RunningChat[] {
    return [...this.running.values()].flatMap((chats) => [...chats.values()]);
  }

  private async prepare(
    userId: string,
    connectionId: string,
    payload: ChatStartPayload,
  ): Promise<PreparedChat> {
    const slotId = `${connectionId}:${payload.requestId}`;
    const limit = this.config.maxConcurrentStreams;
    // Both Redis steps in one round trip; the slot is given back below if the chat goes no further.
    const [rate, slotTaken] = await Promise.all([
      this.rateLimiter.consume(`mcp:messages:${userId}`, this.config.messagesPerMinute, 60_000),
      this.slots.acquire(userId, slotId, limit, this.config.holdTtlMs),
    ]);
    try {
      if (!rate.allowed) {
        throw new ChatError(
          'TOO_MANY_STREAMS',
          `More than ${this.config.messagesPerMinute} chats a minute; retry in ${rate.retryAfterSeconds} s`,
        );
      }
      if (!slotTaken) {
        throw new ChatError('TOO_MANY_STREAMS', `At most ${limit} chats may stream at once`);
      }
      const { primary, fallback } = await this.models.resolve(payload.model);
      const candidates = [primary, ...(fallback ? [fallback] : [])];
      this.requireConfiguredProvider(payload.model, candidates);
      const maxTokens = Math.min(
        payload.maxTokens ?? this.config.defaultMaxTokens,
        ...candidates.map((m) => m.maxOutputTokens),
      );
      const turnTokens = await this.tokens.countEach(payload.messages);
      const turn = payload.messages.map((m, i) => ({ ...m, contentTokens: turnTokens[i] }));
      const history = payload.conversation_id
        ? await this.history(userId, payload.conversation_id, candidates, maxTokens, turnTokens)
        : [];
      const messages = [...history, ...turn].map(({ role, content }) => ({ role, content }));
      const inputEstimate = framed([...history, ...turn].map((m) => m.contentTokens));
      const reservedUnits = candidates
        .map((m) => costUnits(pricesOf(m), this.reserveInput(m, inputEstimate), maxTokens))
        .reduce((a, b) => (a > b ? a : b));
      const holdId = await this.billing.reserve({
        userId,
        amount: formatLedger(reservedUnits),
        ttlMs: this.config.holdTtlMs,
        requestId: payload.requestId,
        model: primary.id,
      });
      return {
        payload,
        userId,
        messages,
        conversation: {
          id: payload.conversation_id ?? randomUUID(),
          isNew: !payload.conversation_id,
          turn,
        },
        candidates,
        maxTokens,
        inputEstimate,
        holdId,
        reservedUnits,
        slotId,
      };
    } catch (error) {
      if (slotTaken) await this.slots.release(userId, slotId);
      throw error;
    }
  }

  /**
   * The stored history of the user's conversation that fits the smallest context window of the
   * candidates beside the new turn and the answer (`INVALID_REQUEST` if it is not theirs).
   */
  private async history(
    userId: string,
    conversationId: string,
    candidates: ChatModel[],
    maxTokens: number,
    turnTokens: number[],
  ): Promise<TurnMessage[]> {
    const budget = Math.min(
      ...candidates.map(
        (m) =>
          this.tokens.fromProvider(m.provider, Math.max(0, m.contextWindow - maxTokens)) -
          framed(turnTokens),
      ),
    );
    try {
      return await this.conversations.history(
        userId,
        conversationId,
        Math.max(0, budget),
        MESSAGE_FRAMING_TOKENS,
      );
    } catch (error) {
      if (error instanceof ConversationNotFoundError) {
        throw new ChatError('INVALID_REQUEST', `No conversation ${conversationId}`);
      }
      throw error;
    }
  }

  private requireConfiguredProvider(requested: string, candidates: ChatModel[]): void {
    if (candidates.some((m) => this.providers.isConfigured(m.provider))) return;
    const variables = [...new Set(candidates.map((m) => PROVIDER_KEY_VARIABLE[m.provider]))];
    throw new ChatError(
      'PROVIDER_UNAVAILABLE',
      this.providers.anyConfigured
        ? `No configured provider serves ${requested} (set ${variables.join(' or ')})`
        : 'No model provider is configured: set OPENAI_API_KEY and/or ANTHROPIC_API_KEY',
    );
  }

  private async stream(chat: PreparedChat, signal: AbortSignal, sink: ChatSink): Promise<void> {
    const { payload } = chat;
    const requestId = payload.requestId;
    // The turn is stored while the answer streams; the answer is stored after it.
    const turnStored = this.storeTurn(chat);
    let index = 0;
    let delivered = '';
    let target: UpstreamTarget | undefined;
    let usage: { inputTokens?: number; outputTokens?: number } = {};
    let finishReason = 'stop';
    try {
      await this.runner.run(
        chat.candidates.map(targetOf),
        { messages: chat.messages, maxTokens: chat.maxTokens, temperature: payload.temperature },
        signal,
        (event) => {
          if (event.type === 'attempt') {
            target = event.target;
            usage = {};
          } else if (event.type === 'delta') {
            delivered += event.text;
            sink.chunk({ requestId, index: index++, delta: event.text });
          } else if (event.type === 'usage') {
            usage = { ...usage, ...definedOnly(event) };
          } else {
            finishReason = event.reason;
          }
        },
      );
      const answered = target!;
      const inputTokens = usage.inputTokens ?? this.estimateInput(chat, answered);
      const outputTokens = usage.outputTokens ?? (await this.tokens.output(delivered));
      const charged = await this.charge(chat, answered, inputTokens, outputTokens);
      await this.storeAnswer(chat, turnStored, {
        content: delivered,
        model: answered.modelId,
        inputTokens,
        outputTokens,
        ...charged,
        status: 'complete',
      });
      const primary = chat.candidates[0];
      sink.end({
        requestId,
        provider: answered.provider,
        model: answered.modelId,
        usage: { inputTokens, outputTokens },
        cost: charged.cost,
        balance: charged.balance,
        finishReason,
        ...(answered.modelId !== primary.id ? { fallbackFrom: primary.id } : {}),
      });
    } catch (error) {
      const chatError = signal.reason === SHUTTING_DOWN ? SHUTTING_DOWN : this.asChatError(error);
      // Cancelled after the request went upstream, or failed after some output: partial charge.
      const partial = target && (chatError.code === 'CANCELLED' || delivered.length > 0);
      let charged = { cost: '0', transactionId: null as string | null };
      let tokens = { inputTokens: 0, outputTokens: 0 };
      try {
        if (partial) {
          tokens = {
            inputTokens: usage.inputTokens ?? this.estimateInput(chat, target!),
            outputTokens: usage.outputTokens ?? (await this.tokens.output(delivered)),
          };
          charged = await this.charge(chat, target!, tokens.inputTokens, tokens.outputTokens);
        } else {
          await this.billing.release(chat.holdId);
        }
      } catch (chargeError) {
        this.logger.error({ err: chargeError, requestId }, 'Settling a failed chat failed');
      }
      await this.storeAnswer(chat, turnStored, {
        content: delivered,
        model: (target ?? targetOf(chat.candidates[0])).modelId,
        ...tokens,
        ...charged,
        status: chatError.code === 'CANCELLED' ? 'cancelled' : 'failed',
      });
      sink.error({
        requestId,
        code: chatError.code,
        message: chatError.message,
        cost: charged.cost,
      });
    }
  }

  /** Stores the user's turn (a new conversation, or appended to theirs); never fails the chat. */
  private storeTurn(chat: PreparedChat): Promise<boolean> {
    const { id, isNew, turn } = chat.conversation;
    const stored = isNew
      ? this.conversations.start(chat.userId, id, chat.candidates[0].id, turn)
      : this.conversations.continue(id, turn);
    return stored.then(
      () => true,
      (error: unknown) => {
        this.logger.error({ err: error, conversationId: id }, 'Storing a chat turn failed');
        return false;
      },
    );
  }

  /** Stores the answer after its turn; a failure is logged, the chat's result stands. */
  private async storeAnswer(
    chat: PreparedChat,
    turnStored: Promise<boolean>,
    answer: Omit<AnswerMessage, 'contentTokens' | 'status'> & { status: MessageStatus },
  ): Promise<void> {
    if (!(await turnStored)) return;
    const { id } = chat.conversation;
    try {
      await this.conversations.recordAnswer(id, { ...answer, contentTokens: answer.outputTokens });
    } catch (error) {
      this.logger.error({ err: error, conversationId: id }, 'Storing a chat answer failed');
    }
  }

  /** Captures the usage at the answering model's prices (never more than the hold). */
  private async charge(
    chat: PreparedChat,
    target: UpstreamTarget,
    inputTokens: number,
    outputTokens: number,
  ): Promise<{ cost: string; balance: string; transactionId: string | null }> {
    const model = chat.candidates.find((m) => m.id === target.modelId)!;
    let units = costUnits(pricesOf(model), inputTokens, outputTokens);
    if (units > chat.reservedUnits) {
      this.logger.warn(
        { requestId: chat.payload.requestId, cost: formatLedger(units) },
        'Usage above the hold: charging the hold',
      );
      units = chat.reservedUnits;
    }
    const cost = formatLedger(units);
    const captured = await this.billing.capture(chat.holdId, cost, {
      requestId: chat.payload.requestId,
      model: model.id,
      provider: model.provider,
      inputTokens,
      outputTokens,
      conversationId: chat.conversation.id,
    });
    return { cost, ...captured };
  }

  private estimateInput(chat: PreparedChat, target: UpstreamTarget): number {
    return this.tokens.forProvider(target.provider, chat.inputEstimate);
  }

  private reserveInput(model: ChatModel, inputEstimate: number): number {
    const estimate = BigInt(this.tokens.forProvider(model.provider, inputEstimate));
    return Number((estimate * INPUT_MARGIN_PERCENT + 99n) / 100n + INPUT_MARGIN_TOKENS);
  }

  private asChatError(error: unknown): ChatError {
    if (error instanceof ChatError) return error;
    this.logger.error({ err: error }, 'Chat failed unexpectedly');
    return new ChatError('INTERNAL', 'Internal error');
  }

  private chatsOf(connectionId: string): Map<string, RunningChat> {
    let chats = this.running.get(connectionId);
    if (!chats) this.running.set(connectionId, (chats = new Map<string, RunningChat>()));
    return chats;
  }

  private forget(connectionId: string, requestId: string): void {
    const chats = this.running.get(connectionId);
    if (chats?.delete(requestId) && chats.size === 0) this.running.delete(connectionId);
  }
}

function failed(code: ChatError['code'], message: string): StartedChat {
  return { ack: { ok: false, code, message } };
}

function pricesOf(model: ChatModel): Prices {
  return { inputPer1k: model.inputPricePer1k, outputPer1k: model.outputPricePer1k };
}

function definedOnly(event: { inputTokens?: number; outputTokens?: number }) {
  return {
    ...(event.inputTokens !== undefined ? { inputTokens: event.inputTokens } : {}),
    ...(event.outputTokens !== undefined ? { outputTokens: event.outputTokens } : {}),
  };
}
