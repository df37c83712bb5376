import type { Schemas } from '../api/client';
import type {
  ChatChunkEvent,
  ChatEndEvent,
  ChatErrorEvent,
} from '../../../clients/typescript/src/chat-socket';

/** One turn of the thread as the page shows it. */
export interface ThreadMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  status: 'streaming' | 'done' | 'stopped' | 'error';
  model?: string;
  cost?: string;
  balance?: string;
  error?: { code: string; message: string };
  /** Chunks appended so far (the next expected index). */
  chunks?: number;
}

/** What changes the thread: the page's own actions and the socket's events as they arrive. */
export type ThreadEvent =
  | { type: 'reset'; messages: ThreadMessage[] }
  | { type: 'sent'; request_id: string; text: string; model: string }
  | ({ type: 'chunk' } & ChatChunkEvent)
  | ({ type: 'end' } & Pick<ChatEndEvent, 'request_id' | 'model' | 'cost' | 'new_balance'>)
  // A refused ack has no cost (nothing was charged).
  | ({ type: 'error' } & Omit<ChatErrorEvent, 'cost'> & { cost?: string });

const assistantId = (requestId: string) => `${requestId}:a`;

/**
 * The thread's state from the socket's events: chunks append in index order (a late or repeated
 * one is ignored), the end sets the cost and balance, an error keeps what already streamed.
 */
export function threadReducer(state: ThreadMessage[], event: ThreadEvent): ThreadMessage[] {
  switch (event.type) {
    case 'reset':
      return event.messages;
    case 'sent':
      return [
        ...state,
        { id: `${event.request_id}:u`, role: 'user', content: event.text, status: 'done' },
        {
          id: assistantId(event.request_id),
          role: 'assistant',
          content: '',
          status: 'streaming',
          model: event.model,
          chunks: 0,
        },
      ];
    case 'chunk':
      return update(state, event.request_id, (m) => {
        const seen = m.chunks ?? 0;
        if (event.index !== seen || m.status !== 'streaming') return m;
        return { ...m, content: m.content + event.delta, chunks: seen + 1 };
      });
    case 'end':
      return update(state, event.request_id, (m) => ({
        ...m,
        status: 'done',
        model: event.model,
        cost: event.cost,
        balance: event.new_balance,
      }));
    case 'error':
      return update(state, event.request_id, (m) => ({
        ...m,
        status: event.code === 'CANCELLED' ? 'stopped' : 'error',
        cost: event.cost ?? m.cost,
        error:
          event.code === 'CANCELLED' ? undefined : { code: event.code, message: event.message },
      }));
  }
}

function update(
  state: ThreadMessage[],
  requestId: string,
  change: (m: ThreadMessage) => ThreadMessage,
): ThreadMessage[] {
  const id = assistantId(requestId);
  return state.map((m) => (m.id === id ? change(m) : m));
}

/** What the model is sent: the finished turns of the thread, oldest first. */
export function history(state: ThreadMessage[]): { role: 'user' | 'assistant'; content: string }[] {
  return state
    .filter((m) => m.role === 'user' || (m.status === 'done' && m.content))
    .map((m) => ({ role: m.role, content: m.content }));
}

/** A message of a stored conversation (`GET /api/conversations/:id`), as the thread reads it. */
export type StoredMessage = Pick<
  Schemas['ConversationMessageDto'],
  'id' | 'role' | 'content' | 'model' | 'cost' | 'status'
>;

/** A stored conversation as the thread shows it: system prompts are not shown. */
export function fromStored(messages: StoredMessage[]): ThreadMessage[] {
  return messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({
      id: m.id,
      role: m.role as 'user' | 'assistant',
      content: m.content,
      status: m.status === 'complete' ? 'done' : m.status === 'cancelled' ? 'stopped' : 'error',
      model: m.model ?? undefined,
      cost: m.cost ?? undefined,
      error: m.status === 'failed' ? { code: 'FAILED', message: '' } : undefined,
    }));
}
