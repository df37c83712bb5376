import { io, type Socket } from 'socket.io-client';
import { session } from './session';

let socket: Socket | null = null;

/**
 * The one `/mcp` socket of the signed-in tab: chat streams and live balance events. Each
 * (re)connection presents the current access token, refreshing it first when it is missing.
 */
export function mcpSocket(): Socket {
  if (socket) return socket;
  socket = io('/mcp', {
    transports: ['websocket'],
    auth: (cb) => {
      const token = session.token;
      if (token) cb({ token });
      else void session.refresh().then((fresh) => cb({ token: fresh ?? '' }));
    },
  });
  // The server cut this socket (a disable, a revoked login): find out at once whether this tab is
  // still signed in; the refresh answers no for a disabled account.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') void session.refresh();
  });
  return socket;
}

export function closeMcpSocket(): void {
  socket?.disconnect();
  socket = null;
}
