import type { ProviderName } from '../config/variables/mcp';

export type { ProviderName };

/**
 * Error codes of `chat:start` acks and `chat:error` events (the list, nothing else: the
 * per-user message rate shares `TOO_MANY_STREAMS` with the concurrency limit). `UNAUTHENTICATED`:
 * the socket's credential expired or was revoked; the server disconnects right after it.
 */
export const CHAT_ERROR_CODES = [
  'INVALID_REQUEST',
  'MODEL_NOT_FOUND',
  'INSUFFICIENT_CREDITS',
  'TOO_MANY_STREAMS',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_AUTH_FAILED',
  'TIMEOUT',
  'CANCELLED',
  'INTERNAL',
  'UNAUTHENTICATED',
] as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

// ---- Socket.IO events (typed for the server and for socket.io-client in tests) ----

export interface ChatStartPayload {
  /** Chosen by the client, unique among its socket's running chats. */
  requestId: string;
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /**
   * Continue this conversation of the user: its stored history (trimmed to the model's window)
   * goes before `messages`, the new turn. Without it a new conversation is started.
   */
  conversation_id?: string;
}

/** `conversation_id` (on `chat:start` acks): the conversation the turn and its answer belong to. */
export type ChatAck =
  { ok: true; conversation_id?: string } | { ok: false; code: ChatErrorCode; message: string };

export interface ChatChunkEvent {
  requestId: string;
  /** 0, 1, 2 … in the order sent. */
  index: number;
  delta: string;
}

export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatEndEvent {
  requestId: string;
  provider: ProviderName;
  /** The model id that answered (the fallback's, when one ran). */
  model: string;
  usage: ChatUsage;
  /** Credits charged, a decimal string with at most 4 places. */
  cost: string;
  /** Balance after the charge, a decimal string. */
  balance: string;
  finishReason: string;
  /** The model first asked for, when its fallback answered instead. */
  fallbackFrom?: string;
}

export interface ChatErrorEvent {
  requestId: string;
  code: ChatErrorCode;
  message: string;
  /** Credits charged for what was delivered before the failure ("0" when nothing was). */
  cost: string;
}

export interface ChatCancelPayload {
  requestId: string;
}

/** `auth:refresh`: a fresh credential of the same user, before the socket's own expires. */
export interface AuthRefreshPayload {
  token: string;
}

export type AuthRefreshAck =
  { ok: true; expiresAt: string } | { ok: false; code: 'UNAUTHENTICATED'; message: string };

export interface McpClientToServerEvents {
  'chat:start': (payload: ChatStartPayload, ack: (result: ChatAck) => void) => void;
  'chat:cancel': (payload: ChatCancelPayload, ack?: (result: ChatAck) => void) => void;
  'auth:refresh': (payload: AuthRefreshPayload, ack: (result: AuthRefreshAck) => void) => void;
}

export interface ServerShutdownEvent {
  message: string;
}

/** A change of the user's credits (any money move, on any instance); decimal strings. */
export interface CreditsBalanceEvent {
  balance: string;
  available: string;
  held: string;
  /** The ledger row of the move; null for a hold taken or released. */
  transaction_id: string | null;
}

export interface McpServerToClientEvents {
  'chat:chunk': (event: ChatChunkEvent) => void;
  'chat:end': (event: ChatEndEvent) => void;
  'chat:error': (event: ChatErrorEvent) => void;
  'credits:balance': (event: CreditsBalanceEvent) => void;
  /** This instance is stopping; the socket is disconnected right after. */
  'server:shutdown': (event: ServerShutdownEvent) => void;
}

/** A failure with one of the chat codes, raised anywhere in the chat path. */
export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}
