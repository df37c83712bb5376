import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/time/clock';
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
import { Admission, Admitted, ChatAdmission, pricesOf } from './chat-admission';
import { ChatBilling, ChatPayer } from './chat-billing';
import { ChatMetrics } from './chat-metrics';
import { parseChatStart } from './chat-payload';
import {
  asChatError,
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
import { costUnits, formatLedger } from './pricing';
import { PROVIDER_KEY_VARIABLE, ProviderRegistry } from './providers/provider-registry';
import { framed, MESSAGE_FRAMING_TOKENS, TokenEstimator } from './token-estimator';
import { UpstreamRunner, UpstreamTarget } from './upstream-runner';
import { within } from '../common/time/within';

/** Where a chat's events go (the socket, in production). */
export interface ChatSink {
  chunk(event: ChatChunkEvent): void;
  end(event: ChatEndEvent): void;
  error(event: ChatErrorEvent): void;
}

/**
 * The ack for `chat:start`. When it is `ok`, `open` must be called right after the ack was sent:
 * chunks that arrived before are delivered then, later ones as they come.
 */
export interface StartedChat {
  ack: ChatAck;
  open?: () => void;
}

interface RunningChat {
  controller: AbortController;
  done?: Promise<void>;
}

/** One chat between `chat:start` and its last event. */
interface Chat {
  payload: ChatStartPayload;
  payer: ChatPayer;
  /** What goes upstream: the conversation's stored history, then the new turn. */
  messages: ChatMessage[];
  conversation: { id: string; isNew: boolean };
  candidates: ChatModel[];
  maxTokens: number;
  /** The credit hold (also the stream slot); refused → the chat ends without an event or a charge. */
  admission: Promise<Admission>;
  /** Resolves when the ack has gone out (StartedChat.open). */
  opened: Promise<void>;
  turnStored?: Promise<boolean>;
  /** performance.now() at `chat:start`, for the log line at its end. */
  startedAt: number;
  /** performance.now() when the ack went out and when the upstream's first text came. */
  openedAt?: number;
  upstreamFirstAt?: number;
}

/** The abort reason of chats cut by a shutdown, and the message their clients get. */
const SHUTTING_DOWN = new ChatError(
  'CANCELLED',
  'The server is shutting down: charged for what was delivered; reconnect to continue',
);

/**
 * The abort reason of a chat that ran until its credit hold was about to lapse (MCP_HOLD_TTL):
 * past it, the hold could no longer be charged, so the chat ends first and is charged for what
 * was delivered.
 */
const HOLD_EXPIRING = new ChatError(
  'TIMEOUT',
  'The chat reached the time limit of its credit hold (MCP_HOLD_TTL): ended and charged for what was delivered',
);

/** How long before its hold lapses a chat is ended: time for the charge to be written. */
export function chargeDeadline(holdExpiresAt: Date, holdTtlMs: number): Date {
  return new Date(holdExpiresAt.getTime() - Math.min(30_000, holdTtlMs / 10));
}

/**
 * Resolves on the event-loop turn after `opened`, when the ack and the chunks waiting for it have
 * been written. Socket.IO writes a chunk emitted right after the ack only once the ack's write has
 * completed, a few ticks later in the same turn, so work started on `opened` itself went out
 * before the first chunk: the turn's statement, and the log line, whose write pino hands to a
 * libuv thread that then took this process's CPU. At one start, the client got the first chunk
 * 0.17–0.26 ms (p50) after the ack that way, and 0.02–0.12 ms after this (BENCHMARKS.md, issue 15).
 */
export function whenWritten(opened: Promise<void>): Promise<void> {
  return opened.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
}

/** The abort reason of a request sent upstream for a chat that was then refused. */
const REFUSED = new ChatError('CANCELLED', 'Refused');

/**
 * One chat from `chat:start` to its last event: validation, limits, the credit hold, the
 * upstream stream and the charge. The request goes upstream as soon as the payload is valid; the
 * cross-instance limits and the credit hold are taken meanwhile (ChatAdmission), and no chunk is
 * delivered before they are. Charging policy (also in docs/architecture.md):
 * - a hold for the estimated input plus `maxTokens` output at the dearest of the model and its
 *   fallback; not available → `INSUFFICIENT_CREDITS` in the ack, the upstream request aborted
 *   before any chunk was delivered, no ledger row (when the balance known here cannot even pay
 *   the answer, the hold is taken first and nothing goes upstream);
 * - finished: the provider's reported usage × the answering model's prices, rounded up to
 *   0.0001, captured as one `chat` ledger row; the rest of the hold is released;
 * - cancelled or disconnected: the upstream request is aborted at once and the prompt plus the
 *   output delivered so far is charged (own token count where the provider reported none);
 * - failed after some output (e.g. a stalled stream → `TIMEOUT`): the same partial charge;
 * - failed with no output: the hold is released, nothing is charged;
 * - still running shortly before its hold lapses (MCP_HOLD_TTL, less 30 s or a tenth): ended
 *   with `TIMEOUT` and charged like a cancel, while the hold can still be captured;
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
    private readonly admission: ChatAdmission,
    private readonly conversations: ConversationsService,
    private readonly metrics: ChatMetrics,
    private readonly clock: Clock,
  ) {
    this.config = config.mcp;
    metrics.countOpenStreamsWith(() => this.runningChats().length);
  }

  /**
   * Validates a chat and sends it upstream; resolves with the ack once the hold and the limits
   * have let it in (or refused it: then the upstream request is aborted).
   */
  async start(
    payer: ChatPayer,
    connectionId: string,
    raw: unknown,
    sink: ChatSink,
  ): Promise<StartedChat> {
    if (this.closing) return failed('PROVIDER_UNAVAILABLE', SHUTTING_DOWN.message);
    const parsed = parseChatStart(raw, this.config);
    if (!parsed.ok) return failed('INVALID_REQUEST', parsed.reason);
    const payload = parsed.value;
    const chats = this.chatsOf(connectionId);
    if (chats.has(payload.request_id)) {
      return failed('INVALID_REQUEST', `request_id "${payload.request_id}" is already running`);
    }
    const { userId } = payer;
    const startedAt = performance.now();
    const running: RunningChat = { controller: new AbortController() };
    chats.set(payload.request_id, running);
    let entered = false;
    try {
      const { primary, fallback } = await this.models.resolve(payload.model);
      const candidates = [primary, ...(fallback ? [fallback] : [])];
      this.requireConfiguredProvider(payload.model, candidates);
      const maxTokens = Math.min(
        payload.max_tokens ?? this.config.defaultMaxTokens,
        ...candidates.map((m) => m.maxOutputTokens),
      );
      const { likelyShort } = this.admission.enter(userId, candidates, maxTokens);
      entered = true;
      // Counted while the request goes upstream; a continued conversation needs the turn's
      // count first, to know how much history fits.
      const turnTokens = this.tokens.countEach(payload.messages);
      const history = payload.conversation_id
        ? await this.history(userId, payload.conversation_id, candidates, maxTokens, turnTokens)
        : [];
      // Asked for on the next tick, so the hold's statement goes out after the upstream request
      // made below: Node writes that request on a tick of its own, and a hold asked for now would
      // be sent first, from the microtasks that prepare the request. A single chat's first token
      // came 0.2–0.5 ms sooner in this order (paired probe in BENCHMARKS.md).
      const admission = new Promise<Admission>((resolve) =>
        process.nextTick(() =>
          resolve(
            this.admission.admit({
              payer,
              requestId: payload.request_id,
              candidates,
              maxTokens,
              historyTokens: history.map((m) => m.contentTokens),
              turnTokens,
            }),
          ),
        ),
      );
      if (likelyShort) {
        const admitted = await admission;
        if (!admitted.ok) {
          this.metrics.ended(candidates[0].id, admitted.error.code);
          throw admitted.error;
        }
      }
      let open!: () => void;
      const chat: Chat = {
        payload,
        payer,
        messages: [...history, ...payload.messages].map(({ role, content }) => ({ role, content })),
        conversation: {
          id: payload.conversation_id ?? randomUUID(),
          isNew: !payload.conversation_id,
        },
        candidates,
        maxTokens,
        admission,
        opened: new Promise<void>((resolve) => (open = resolve)),
        startedAt,
      };
      running.done = this.stream(chat, running.controller.signal, sink).finally(() =>
        this.forget(connectionId, payload.request_id),
      );
      const admitted = await admission;
      if (!admitted.ok) {
        running.controller.abort(REFUSED);
        this.metrics.ended(candidates[0].id, admitted.error.code);
        return failed(admitted.error.code, admitted.error.message);
      }
      const stopWatching = this.clock.schedule(
        chargeDeadline(admitted.holdExpiresAt, this.config.holdTtlMs),
        () => running.controller.abort(HOLD_EXPIRING),
      );
      void running.done.then(stopWatching, stopWatching);
      const admissionMs = sinceMs(startedAt);
      // Off the first token's path: once the ack and the chunks waiting for it are written.
      const written = whenWritten(chat.opened);
      void written.then(() =>
        this.logger.log(
          {
            requestId: payload.request_id,
            userId,
            model: candidates[0].id,
            conversationId: chat.conversation.id,
            heldCredits: formatLedger(admitted.reservedUnits),
            admissionMs,
          },
          'Chat started',
        ),
      );
      chat.turnStored = written.then(() => this.storeTurn(chat, admitted));
      return { ack: { ok: true, conversation_id: chat.conversation.id }, open };
    } catch (error) {
      if (!running.done) {
        this.forget(connectionId, payload.request_id);
        if (entered) this.admission.leave(userId);
      }
      const chatError = this.asChatError(error);
      return failed(chatError.code, chatError.message);
    }
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
    await within(
      Promise.allSettled(this.runningChats().map((chat) => chat.done ?? Promise.resolve())),
      graceMs,
      [],
    );
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

  /**
   * The stored history of the user's conversation that fits the smallest context window of the
   * candidates beside the new turn and the answer (`INVALID_REQUEST` if it is not theirs).
   */
  private async history(
    userId: string,
    conversationId: string,
    candidates: ChatModel[],
    maxTokens: number,
    turnTokens: Promise<number[]>,
  ): Promise<TurnMessage[]> {
    const turn = framed(await turnTokens);
    const budget = Math.min(
      ...candidates.map(
        (m) =>
          this.tokens.fromProvider(m.provider, Math.max(0, m.contextWindow - maxTokens)) - turn,
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

  /**
   * Streams the chat upstream at once; chunks wait for the ack (`opened`) and go out as they
   * come after it. Settles once the stream has ended and the admission is known: a refused chat
   * ends silently (the ack said why), an admitted one is charged and ends with `chat:end` or
   * `chat:error`.
   */
  private async stream(chat: Chat, signal: AbortSignal, sink: ChatSink): Promise<void> {
    const { payload } = chat;
    const requestId = payload.request_id;
    let index = 0;
    let delivered = '';
    let waiting: ChatChunkEvent[] | undefined = [];
    void chat.opened.then(() => {
      chat.openedAt = performance.now();
      for (const event of waiting!) sink.chunk(event);
      waiting = undefined;
    });
    let target: UpstreamTarget | undefined;
    let usage: { inputTokens?: number; outputTokens?: number } = {};
    let finishReason = 'stop';
    let failure: unknown;
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
            if (index === 0) chat.upstreamFirstAt = performance.now();
            delivered += event.text;
            const chunk = { request_id: requestId, index: index++, delta: event.text };
            if (waiting) waiting.push(chunk);
            else sink.chunk(chunk);
          } else if (event.type === 'usage') {
            usage = { ...usage, ...definedOnly(event) };
          } else {
            finishReason = event.reason;
          }
        },
      );
    } catch (error) {
      failure = error;
    }
    const admitted = await chat.admission;
    if (!admitted.ok) {
      this.admission.leave(chat.payer.userId);
      return;
    }
    // The chat stops counting here before the last event goes out (its hold, the stream slot
    // the money core counts, is settled by then): a client that starts its next chat on
    // `chat:end` must not find the previous one still counted.
    let finished = false;
    const finish = () => {
      if (!finished) this.admission.leave(chat.payer.userId);
      finished = true;
    };
    try {
      await chat.opened;
      if (failure === undefined) {
        const answered = target!;
        const inputTokens = usage.inputTokens ?? this.estimateInput(admitted, answered);
        const outputTokens = usage.outputTokens ?? (await this.tokens.output(delivered));
        const charged = await this.charge(chat, admitted, answered, inputTokens, outputTokens);
        await this.storeAnswer(chat, {
          content: delivered,
          model: answered.modelId,
          inputTokens,
          outputTokens,
          ...charged,
          status: 'complete',
        });
        const primary = chat.candidates[0];
        finish();
        this.ended(chat, 'complete', {
          model: answered.modelId,
          inputTokens,
          outputTokens,
          ...charged,
        });
        sink.end({
          request_id: requestId,
          provider: answered.provider,
          model: answered.modelId,
          usage: { input_tokens: inputTokens, output_tokens: outputTokens },
          cost: charged.cost,
          new_balance: charged.balance,
          finish_reason: finishReason,
          ...(answered.modelId !== primary.id ? { fallback_from: primary.id } : {}),
        });
        return;
      }
      // A shutdown or the hold's time limit ended it, else what the upstream run failed with.
      const chatError =
        signal.reason === SHUTTING_DOWN || signal.reason === HOLD_EXPIRING
          ? (signal.reason as ChatError)
          : this.asChatError(failure);
      // Cancelled after the request went upstream, or failed after some output: partial charge.
      const partial = target && (chatError.code === 'CANCELLED' || delivered.length > 0);
      let charged = { cost: '0', transactionId: null as string | null };
      let tokens = { inputTokens: 0, outputTokens: 0 };
      try {
        if (partial) {
          tokens = {
            inputTokens: usage.inputTokens ?? this.estimateInput(admitted, target!),
            outputTokens: usage.outputTokens ?? (await this.tokens.output(delivered)),
          };
          charged = await this.charge(
            chat,
            admitted,
            target!,
            tokens.inputTokens,
            tokens.outputTokens,
          );
        } else {
          await this.billing.release(chat.payer, admitted.holdId);
        }
      } catch (chargeError) {
        this.logger.error({ err: chargeError, requestId }, 'Settling a failed chat failed');
      }
      await this.storeAnswer(chat, {
        content: delivered,
        model: (target ?? targetOf(chat.candidates[0])).modelId,
        ...tokens,
        ...charged,
        status: chatError.code === 'CANCELLED' ? 'cancelled' : 'failed',
      });
      finish();
      this.ended(chat, chatError.code === 'CANCELLED' ? 'cancelled' : chatError.code, {
        model: (target ?? targetOf(chat.candidates[0])).modelId,
        ...tokens,
        cost: charged.cost,
      });
      sink.error({
        request_id: requestId,
        code: chatError.code,
        message: chatError.message,
        cost: charged.cost,
      });
    } finally {
      finish();
    }
  }

  /** The chat's end in the log (one line, no content) and the metrics. */
  private ended(
    chat: Chat,
    outcome: string,
    charged: { model: string; inputTokens: number; outputTokens: number; cost: string },
  ): void {
    this.metrics.ended(chat.candidates[0].id, outcome, charged);
    this.logger.log(
      {
        requestId: chat.payload.request_id,
        userId: chat.payer.userId,
        model: charged.model,
        conversationId: chat.conversation.id,
        outcome,
        inputTokens: charged.inputTokens,
        outputTokens: charged.outputTokens,
        cost: charged.cost,
        ms: Math.round(performance.now() - chat.startedAt),
        // Where the time to the first chunk went: the upstream's first text, and the first
        // chunk sent to the client (which also waited for the hold and the ack).
        ...(chat.upstreamFirstAt !== undefined
          ? {
              upstreamFirstMs: sinceMs(chat.startedAt, chat.upstreamFirstAt),
              firstChunkMs: sinceMs(
                chat.startedAt,
                Math.max(chat.upstreamFirstAt, chat.openedAt ?? chat.upstreamFirstAt),
              ),
            }
          : {}),
      },
      'Chat ended',
    );
  }

  /** Stores the user's turn (a new conversation, or appended to theirs); never fails the chat. */
  private storeTurn(chat: Chat, admitted: Admitted): Promise<boolean> {
    const { id, isNew } = chat.conversation;
    const turn = chat.payload.messages.map((m, i) => ({
      ...m,
      contentTokens: admitted.turnTokens[i],
    }));
    const stored = isNew
      ? this.conversations.start(chat.payer.userId, id, chat.candidates[0].id, turn)
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
    chat: Chat,
    answer: Omit<AnswerMessage, 'contentTokens' | 'status'> & { status: MessageStatus },
  ): Promise<void> {
    if (!(await chat.turnStored)) return;
    const { id } = chat.conversation;
    try {
      await this.conversations.recordAnswer(id, { ...answer, contentTokens: answer.outputTokens });
    } catch (error) {
      this.logger.error({ err: error, conversationId: id }, 'Storing a chat answer failed');
    }
  }

  /** Captures the usage at the answering model's prices (never more than the hold). */
  private async charge(
    chat: Chat,
    admitted: Admitted,
    target: UpstreamTarget,
    inputTokens: number,
    outputTokens: number,
  ): Promise<{ cost: string; balance: string; transactionId: string | null }> {
    const model = chat.candidates.find((m) => m.id === target.modelId)!;
    let units = costUnits(pricesOf(model), inputTokens, outputTokens);
    if (units > admitted.reservedUnits) {
      this.logger.warn(
        { requestId: chat.payload.request_id, cost: formatLedger(units) },
        'Usage above the hold: charging the hold',
      );
      units = admitted.reservedUnits;
    }
    const cost = formatLedger(units);
    const captured = await this.billing.capture(chat.payer, admitted.holdId, cost, {
      request_id: chat.payload.request_id,
      model: model.id,
      provider: model.provider,
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      conversation_id: chat.conversation.id,
    });
    return { cost, ...captured };
  }

  private estimateInput(admitted: Admitted, target: UpstreamTarget): number {
    return this.tokens.forProvider(target.provider, admitted.inputEstimate);
  }

  private asChatError(error: unknown): ChatError {
    return asChatError(error, this.logger, {});
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

/** Milliseconds from `start` to `end` (now by default), to 0.1 ms, for the log. */
function sinceMs(start: number, end = performance.now()): number {
  return Math.round((end - start) * 10) / 10;
}

function failed(code: ChatError['code'], message: string): StartedChat {
  return { ack: { ok: false, code, message } };
}

function definedOnly(event: { inputTokens?: number; outputTokens?: number }) {
  return {
    ...(event.inputTokens !== undefined ? { inputTokens: event.inputTokens } : {}),
    ...(event.outputTokens !== undefined ? { outputTokens: event.outputTokens } : {}),
  };
}
