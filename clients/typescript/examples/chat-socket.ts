import { io } from 'socket.io-client';
import type { ChatAck, ChatEndEvent, ChatErrorEvent } from '../src/chat-socket';
import type { HubChatSocket } from '../src/socket';

export interface ChatSocketInput {
  baseUrl: string;
  /** The user's access token (JWT) or VERIFIED-… session code. */
  token: string;
  model: string;
  question: string;
  /** Called with each piece of the answer as it streams. */
  onDelta?: (delta: string) => void;
}

export interface ChatSocketResult {
  /** The conversation the turn was stored in (send it as `conversation_id` to continue). */
  conversation_id?: string;
  answer: string;
  /** `chat:end`: usage, cost and the balance after the charge; or the `chat:error`. */
  end?: ChatEndEvent;
  error?: ChatErrorEvent;
}

/**
 * The chat socket with typed events: connect to `/mcp`, `chat:start` a question, print the
 * `chat:chunk`s as they come, and finish on `chat:end` (usage, cost, `new_balance`) or
 * `chat:error`. A refused start (e.g. `INSUFFICIENT_CREDITS`) throws with the ack's code.
 */
export async function chatOverSocket(input: ChatSocketInput): Promise<ChatSocketResult> {
  const socket: HubChatSocket = io(`${input.baseUrl}/mcp`, {
    auth: { token: input.token },
    transports: ['websocket'],
    reconnection: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const request_id = `example-${Date.now()}`;
    let answer = '';
    return await new Promise<ChatSocketResult>((resolve, reject) => {
      let conversation_id: string | undefined;
      socket.on('chat:chunk', (chunk) => {
        if (chunk.request_id !== request_id) return;
        answer += chunk.delta;
        input.onDelta?.(chunk.delta);
      });
      socket.on('chat:end', (end) => {
        if (end.request_id === request_id) resolve({ conversation_id, answer, end });
      });
      socket.on('chat:error', (error) => {
        if (error.request_id === request_id) resolve({ conversation_id, answer, error });
      });
      socket.emit(
        'chat:start',
        { request_id, model: input.model, messages: [{ role: 'user', content: input.question }] },
        (ack: ChatAck) => {
          if (ack.ok) conversation_id = ack.conversation_id;
          else reject(new Error(`chat:start refused: ${ack.code} ${ack.message}`));
        },
      );
    });
  } finally {
    socket.disconnect();
  }
}
