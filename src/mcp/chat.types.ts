import type { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/errors/database-unavailable';
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

/**
 * `error` as a chat error: itself if it is one, else `INTERNAL`, logged. PostgreSQL out of reach
 * (down, or no pooled connection within its wait, as under overload) says so to the client and is
 * logged as a warning with its cause: a condition of the moment, not a bug.
 */
export function asChatError(error: unknown, logger: Logger, context: object): ChatError {
  if (error instanceof ChatError) return error;
  if (isDatabaseUnavailable(error)) {
    logger.warn({ ...context, err: error }, 'Chat refused: the database is not reachable');
    return new ChatError(
      'INTERNAL',
      'The hub cannot reach its database right now: try again shortly',
    );
  }
  logger.error({ ...context, err: error }, 'Chat failed unexpectedly');
  return new ChatError('INTERNAL', 'Internal error');
}
