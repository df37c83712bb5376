import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ChatMetrics } from './chat-metrics';
import { ChatError, ChatErrorCode, ProviderName } from './chat.types';
import type { ChatProvider, ProviderEvent, ProviderRequest } from './providers/chat-provider';
import { classifySdkError, UpstreamError } from './providers/chat-provider';
import { PROVIDER_KEY_VARIABLE, ProviderRegistry } from './providers/provider-registry';

/** A model as the runner needs it: which provider, under which upstream id. */
export interface UpstreamTarget {
  modelId: string;
  provider: ProviderName;
  upstreamModel: string;
}

/** Provider events, plus `attempt` each time a request is about to go upstream. */
export type RunEvent = ProviderEvent | { type: 'attempt'; target: UpstreamTarget };

export interface TimingOptions {
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
}

const FAILURE_CODES: Record<UpstreamError['failure'], ChatErrorCode> = {
  auth: 'PROVIDER_AUTH_FAILED',
  rate_limited: 'PROVIDER_RATE_LIMITED',
  unavailable: 'PROVIDER_UNAVAILABLE',
  bad_request: 'INVALID_REQUEST',
  aborted: 'CANCELLED',
};

class AttemptFailure extends Error {
  constructor(
    readonly error: ChatError,
    readonly retryable: boolean,
  ) {
    super(error.message);
  }
}

/**
 * Runs one chat upstream: the primary target, then its fallback if the primary fails before the
 * first chunk. Each target is retried with exponential backoff on 429/5xx/connection failures,
 * again only before the first chunk; once text has been delivered a failure ends the stream (no
 * silent switch). Time to first token and idle time between chunks are bounded; the caller's
 * AbortSignal aborts the upstream request at once. Events go to a callback rather than out of an
 * async generator: each generator layer costs promises per chunk, on the hot path of every stream.
 */
@Injectable()
export class UpstreamRunner {
  private readonly logger = new Logger('McpUpstream');
  private readonly timing: TimingOptions;

  constructor(
    private readonly providers: ProviderRegistry,
    private readonly metrics: ChatMetrics,
    config: AppConfig,
  ) {
    this.timing = config.mcp;
  }

  /** Resolves after the last event; rejects with a ChatError. `onEvent` must not throw. */
  async run(
    targets: UpstreamTarget[],
    request: Omit<ProviderRequest, 'upstreamModel'>,
    signal: AbortSignal,
    onEvent: (event: RunEvent) => void,
  ): Promise<void> {
    let last: ChatError | undefined;
    for (const target of targets) {
      if (last && target !== targets[0]) this.metrics.fellBack(targets[0].modelId, target.modelId);
      const provider = this.providers.get(target.provider);
      if (!provider.configured) {
        last = new ChatError(
          'PROVIDER_UNAVAILABLE',
          `The ${target.provider} provider is not configured (set ${PROVIDER_KEY_VARIABLE[target.provider]})`,
        );
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        if (signal.aborted) throw new ChatError('CANCELLED', 'Cancelled');
        onEvent({ type: 'attempt', target });
        let delivered = false;
        try {
          await this.attempt(provider, target, request, signal, (event) => {
            if (event.type === 'delta') delivered = true;
            onEvent(event);
          });
          return;
        } catch (error) {
          if (!(error instanceof AttemptFailure)) throw error;
          if (delivered) throw error.error;
          last = error.error;
          if (last.code === 'CANCELLED' || last.code === 'INVALID_REQUEST') throw last;
          if (!error.retryable || attempt >= this.timing.maxRetries) break;
          await this.backoff(attempt, signal);
        }
      }
    }
    throw last ?? new ChatError('PROVIDER_UNAVAILABLE', 'No provider could answer');
  }

  /** One upstream request with its first-token and idle timers. */
  private async attempt(
    provider: ChatProvider,
    target: UpstreamTarget,
    request: Omit<ProviderRequest, 'upstreamModel'>,
    signal: AbortSignal,
    onEvent: (event: ProviderEvent) => void,
  ): Promise<void> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort);
    let timedOut: 'first' | 'idle' | undefined;
    let waitingFor: 'first' | 'idle' = 'first';
    const expire = () => {
      timedOut = waitingFor;
      controller.abort();
    };
    let timer = setTimeout(expire, this.timing.firstTokenTimeoutMs);
    const sent = performance.now();
    try {
      const events = provider.stream(
        { ...request, upstreamModel: target.upstreamModel },
        controller.signal,
      );
      let finished = false;
      for await (const event of events) {
        if (event.type === 'delta') {
          // Every chunk restarts the idle timer; refresh() reuses it instead of a new one each time.
          if (waitingFor === 'first') {
            this.metrics.firstChunk(target.provider, (performance.now() - sent) / 1000);
            clearTimeout(timer);
            waitingFor = 'idle';
            timer = setTimeout(expire, this.timing.idleTimeoutMs);
          } else timer.refresh();
        }
        if (event.type === 'finish') finished = true;
        onEvent(event);
      }
      // The SDKs end an aborted stream quietly instead of throwing; a stream cut without its
      // finish event is a failure too.
      if (controller.signal.aborted)
        throw new UpstreamError('aborted', target.provider, undefined, 'aborted');
      if (!finished) {
        throw new UpstreamError('unavailable', target.provider, undefined, 'stream ended early');
      }
    } catch (error) {
      throw this.failure(error, target, signal, timedOut);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private failure(
    error: unknown,
    target: UpstreamTarget,
    signal: AbortSignal,
    timedOut: 'first' | 'idle' | undefined,
  ): AttemptFailure {
    if (signal.aborted) return new AttemptFailure(new ChatError('CANCELLED', 'Cancelled'), false);
    if (timedOut) {
      this.metrics.upstreamFailed(target.provider, 'timeout');
      const ms = timedOut === 'first' ? this.timing.firstTokenTimeoutMs : this.timing.idleTimeoutMs;
      const what = timedOut === 'first' ? 'first token' : 'next chunk';
      return new AttemptFailure(
        new ChatError('TIMEOUT', `${target.modelId}: no ${what} within ${ms} ms`),
        false,
      );
    }
    const upstream = classifySdkError(error, target.provider);
    this.metrics.upstreamFailed(target.provider, upstream.failure);
    if (upstream.failure === 'auth') {
      // For the operator: the key was refused. Status and provider only, never the key.
      this.logger.error(
        { provider: target.provider, status: upstream.status, model: target.upstreamModel },
        `Upstream ${target.provider} refused our API key (HTTP ${upstream.status}); check ${PROVIDER_KEY_VARIABLE[target.provider]}`,
      );
    } else {
      this.logger.warn(
        { provider: target.provider, status: upstream.status, failure: upstream.failure },
        `Upstream ${target.provider} failed: ${upstream.failure}`,
      );
    }
    const message =
      upstream.failure === 'auth'
        ? `The ${target.provider} provider rejected the hub's credentials`
        : `${target.provider} ${upstream.failure.replace('_', ' ')}${upstream.status ? ` (HTTP ${upstream.status})` : ''}`;
    return new AttemptFailure(
      new ChatError(FAILURE_CODES[upstream.failure], message),
      upstream.retryable,
    );
  }

  private backoff(attempt: number, signal: AbortSignal): Promise<void> {
    const base = this.timing.retryBaseDelayMs * 2 ** attempt;
    const delay = base / 2 + Math.random() * (base / 2);
    return new Promise((resolve) => {
      const timer = setTimeout(done, delay);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }
}
