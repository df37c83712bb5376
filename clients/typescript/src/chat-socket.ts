/**
 * The chat socket's events (Socket.IO namespace `/mcp`): their names and payloads, client → server
 * and server → client. The hub's server uses these very types for its gateway, so they cannot
 * drift from what it sends. Field names are snake_case (CHANGELOG.md lists the renames).
 *
 * ```ts
 * import { io } from 'socket.io-client';
 * import type { HubChatSocket } from '@smart-ai-hub/client';
 * const socket: HubChatSocket = io('https://hub.example.com/mcp', { auth: { token } });
 * ```
 */

/** The model providers the hub speaks to. */
export type ProviderName = 'openai' | 'anthropic';

/**
 * Error codes of `chat:start` acks and `chat:error` events. `UNAUTHENTICATED`: the socket's
 * credential expired or was revoked; the server disconnects right after it.
 * `GRANT_LIMIT_REACHED`: on an app's socket (an OAuth access token), the chat would pass a
 * spending limit the user set for the app (the user's balance may still have credits).
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
  'GRANT_LIMIT_REACHED',
] as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

// ---- client → server ----

export interface ChatStartPayload {
  /** Chosen by the client, unique among its socket's running chats (1–128 of `A-Za-z0-9._:-`). */
  request_id: string;
  model: string;
  messages: ChatMessage[];
  /** The answer's length limit (the model's own limit when larger or left out). */
  max_tokens?: number;
  /** 0 to 2. */
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

export interface ChatCancelPayload {
  request_id: string;
}

/** `auth:refresh`: a fresh credential of the same user, before the socket's own expires. */
export interface AuthRefreshPayload {
  token: string;
}

export type AuthRefreshAck =
  { ok: true; expires_at: string } | { ok: false; code: 'UNAUTHENTICATED'; message: string };

export interface HubClientToServerEvents {
  'chat:start': (payload: ChatStartPayload, ack: (result: ChatAck) => void) => void;
  'chat:cancel': (payload: ChatCancelPayload, ack?: (result: ChatAck) => void) => void;
  'auth:refresh': (payload: AuthRefreshPayload, ack: (result: AuthRefreshAck) => void) => void;
}

// ---- server → client ----

export interface ChatChunkEvent {
  request_id: string;
  /** 0, 1, 2 … in the order sent. */
  index: number;
  delta: string;
}

export interface ChatUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface ChatEndEvent {
  request_id: string;
  provider: ProviderName;
  /** The model id that answered (the fallback's, when one ran). */
  model: string;
  usage: ChatUsage;
  /** Credits charged, a decimal string with at most 4 places. */
  cost: string;
  /** The balance after the charge, a decimal string (as `new_balance` of the REST deduct). */
  new_balance: string;
  finish_reason: string;
  /** The model first asked for, when its fallback answered instead. */
  fallback_from?: string;
}

export interface ChatErrorEvent {
  /** Empty for `UNAUTHENTICATED` (the socket's credential, not one chat). */
  request_id: string;
  code: ChatErrorCode;
  message: string;
  /** Credits charged for what was delivered before the failure ("0" when nothing was). */
  cost: string;
}

/** A change of the user's credits (any money move, on any instance); decimal strings. */
export interface CreditsBalanceEvent {
  balance: string;
  available: string;
  held: string;
  /** The ledger row of the move; null for a hold taken or released. */
  transaction_id: string | null;
}

export interface ServerShutdownEvent {
  message: string;
}

export interface HubServerToClientEvents {
  'chat:chunk': (event: ChatChunkEvent) => void;
  'chat:end': (event: ChatEndEvent) => void;
  'chat:error': (event: ChatErrorEvent) => void;
  'credits:balance': (event: CreditsBalanceEvent) => void;
  /** This instance is stopping; the socket is disconnected right after. */
  'server:shutdown': (event: ServerShutdownEvent) => void;
}
