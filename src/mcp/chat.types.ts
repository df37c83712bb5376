import type { ChatErrorCode } from '../../clients/typescript/src/chat-socket';

/**
 * The chat socket's wire types live in the published client (clients/typescript), so the server
 * and every typed client use the same names and payloads.
 */
export type {
  AuthRefreshAck,
  AuthRefreshPayload,
  ChatAck,
  ChatCancelPayload,
  ChatChunkEvent,
  ChatEndEvent,
  ChatErrorCode,
  ChatErrorEvent,
  ChatMessage,
  ChatRole,
  ChatStartPayload,
  ChatUsage,
  CreditsBalanceEvent,
  HubClientToServerEvents,
  HubServerToClientEvents,
  ProviderName,
  ServerShutdownEvent,
} from '../../clients/typescript/src/chat-socket';

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
