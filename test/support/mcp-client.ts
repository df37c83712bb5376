import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import type {
  ChatAck,
  ChatChunkEvent,
  ChatEndEvent,
  ChatErrorEvent,
} from '../../clients/typescript/src/chat-socket';
import type { HubChatSocket } from '../../clients/typescript/src/socket';

export type McpClient = HubChatSocket;

/** The base URL of a listening Node HTTP server. */
export function urlOf(server: { address(): unknown }): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Connects to `/mcp` with `auth: {token}`; rejects with the connect_error message. */
export function connectMcp(baseUrl: string, token: unknown): Promise<McpClient> {
  const socket: McpClient = io(`${baseUrl}/mcp`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

export interface ChatOutcome {
  ack: ChatAck;
  chunks: ChatChunkEvent[];
  end?: ChatEndEvent;
  error?: ChatErrorEvent;
  text: string;
}

/**
 * Sends `chat:start` and collects the stream until `chat:end` or `chat:error` (or a refused ack).
 * `onChunk` sees every chunk as it arrives (e.g. to cancel mid-stream).
 */
export function chat(
  socket: McpClient,
  payload: unknown,
  onChunk?: (chunk: ChatChunkEvent, all: ChatChunkEvent[]) => void,
  timeoutMs = 20_000,
): Promise<ChatOutcome> {
  // The old name `requestId` is still accepted (tests of the legacy names send it).
  const sent = payload as { request_id?: string; requestId?: string } | undefined;
  const requestId = sent?.request_id ?? sent?.requestId;
  const chunks: ChatChunkEvent[] = [];
  return new Promise((resolve, reject) => {
    let ack: ChatAck | undefined;
    const timer = setTimeout(
      () => finish(undefined, undefined, new Error('chat timed out')),
      timeoutMs,
    );
    const onChunkEvent = (chunk: ChatChunkEvent) => {
      if (chunk.request_id !== requestId) return;
      chunks.push(chunk);
      onChunk?.(chunk, chunks);
    };
    const onEnd = (end: ChatEndEvent) => end.request_id === requestId && finish(end);
    const onError = (error: ChatErrorEvent) =>
      error.request_id === requestId && finish(undefined, error);
    function finish(end?: ChatEndEvent, error?: ChatErrorEvent, failure?: Error) {
      clearTimeout(timer);
      socket.off('chat:chunk', onChunkEvent);
      socket.off('chat:end', onEnd);
      socket.off('chat:error', onError);
      if (failure) return reject(failure);
      resolve({ ack: ack!, chunks, end, error, text: chunks.map((c) => c.delta).join('') });
    }
    socket.on('chat:chunk', onChunkEvent);
    socket.on('chat:end', onEnd);
    socket.on('chat:error', onError);
    socket.emit('chat:start', payload as never, (result: ChatAck) => {
      ack = result;
      if (!result.ok) finish();
    });
  });
}

/** Closes a client and its connection, also after the server disconnected it. */
export function closeMcp(socket: McpClient): void {
  socket.disconnect();
  socket.io.engine?.close();
}

/** Sends `chat:cancel` and returns the ack. */
export function cancel(socket: McpClient, requestId: string): Promise<ChatAck> {
  return new Promise((resolve) => socket.emit('chat:cancel', { request_id: requestId }, resolve));
}

/** Resolves with the `chat:error` the server sent and the reason of the disconnect after it. */
export function ending(socket: McpClient): Promise<{ error: ChatErrorEvent; reason: string }> {
  return new Promise((resolve) => {
    socket.once('chat:error', (error) =>
      socket.once('disconnect', (reason) => resolve({ error, reason })),
    );
  });
}
