import type { ChatMessage, ProviderName } from '../chat.types';

/** One upstream call as a provider adapter sees it. */
export interface ProviderRequest {
  /** The provider's own model id. */
  upstreamModel: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number;
}

/**
 * What a provider stream yields: text deltas in order, usage as the provider reports it (possibly
 * in parts: Anthropic sends input tokens first, output tokens at the end), and one `finish`.
 */
export type ProviderEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; inputTokens?: number; outputTokens?: number }
  | { type: 'finish'; reason: string };

/** An upstream model API behind one interface: an async iterable honouring an AbortSignal. */
export interface ChatProvider {
  readonly name: ProviderName;
  /** False when its API key is not configured. */
  readonly configured: boolean;
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
}

export type UpstreamFailure = 'auth' | 'rate_limited' | 'unavailable' | 'bad_request' | 'aborted';

/**
 * A provider failure, classified from the SDK's error: status and type only, never the request
 * headers (which carry the key).
 */
export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    readonly provider: ProviderName,
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }

  get retryable(): boolean {
    return this.failure === 'rate_limited' || this.failure === 'unavailable';
  }
}

/**
 * Both official SDKs (Stainless-generated) raise `APIError` subclasses carrying `status`, plus
 * `APIUserAbortError` and `APIConnectionError` without one.
 */
export function classifySdkError(error: unknown, provider: ProviderName): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const name = error instanceof Error ? error.constructor.name : '';
  const status =
    typeof (error as { status?: unknown })?.status === 'number'
      ? (error as { status: number }).status
      : undefined;
  const text = error instanceof Error ? error.message.slice(0, 300) : String(error);
  if (name === 'APIUserAbortError' || (error as Error)?.name === 'AbortError') {
    return new UpstreamError('aborted', provider, undefined, 'request aborted');
  }
  if (status === 401 || status === 403) {
    return new UpstreamError('auth', provider, status, text);
  }
  if (status === 429) return new UpstreamError('rate_limited', provider, status, text);
  if (status === 400 || status === 413 || status === 422) {
    return new UpstreamError('bad_request', provider, status, text);
  }
  return new UpstreamError('unavailable', provider, status, text);
}
