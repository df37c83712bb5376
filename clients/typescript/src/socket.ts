import type { Socket } from 'socket.io-client';
import type { HubClientToServerEvents, HubServerToClientEvents } from './chat-socket';

/**
 * A socket.io-client socket of the hub's `/mcp` namespace, typed by its events: `socket.on`
 * and `socket.emit` check event names and payloads.
 *
 * ```ts
 * import { io } from 'socket.io-client';
 * const socket: HubChatSocket = io(`${baseUrl}/mcp`, { auth: { token }, transports: ['websocket'] });
 * socket.on('chat:chunk', ({ request_id, delta }) => process.stdout.write(delta));
 * ```
 */
export type HubChatSocket = Socket<HubServerToClientEvents, HubClientToServerEvents>;
