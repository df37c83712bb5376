import type { HubChatSocket } from '../../../clients/typescript/src/socket';
import { session } from './session';

let socket: Promise<HubChatSocket> | null = null;

/**
 * The one `/mcp` socket of the signed-in tab: chat streams and live balance events. Each
 * (re)connection presents the current access token, refreshing it first when it is missing.
 * socket.io-client is fetched with the first call, so no page waits for it before it shows.
 */
export function mcpSocket(): Promise<HubChatSocket> {
  socket ??= import('socket.io-client').then(({ io }) => {
    const created: HubChatSocket = io('/mcp', {
      transports: ['websocket'],
      auth: (cb) => {
        const token = session.token;
        if (token) cb({ token });
        else void session.refresh().then((fresh) => cb({ token: fresh ?? '' }));
      },
    });
    // The server cut this socket (a disable, a revoked login, the access token's expiry): find
    // out at once whether this tab is still signed in (the refresh answers no for a disabled
    // account or an ended login), and if it is, connect again with the new token.
    created.on('disconnect', (reason) => {
      if (reason !== 'io server disconnect') return;
      void session.refresh().then((token) => {
        if (token && socket) created.connect();
      });
    });
    // Each new access token (refreshed a minute before expiry) renews the open socket's, so the
    // server does not cut it when the first one expires.
    let presented = session.token;
    session.subscribe(() => {
      const token = session.token;
      if (!token || token === presented || !created.connected) return;
      presented = token;
      created.emit('auth:refresh', { token }, () => undefined);
    });
    return created;
  });
  return socket;
}

/**
 * Subscribes to socket events for as long as a component is mounted: `listen` gets the socket
 * and returns what undoes its subscriptions. Safe when unmounted before the socket arrived.
 */
export function onMcpSocket(listen: (socket: HubChatSocket) => () => void): () => void {
  let undo: (() => void) | null = null;
  let cancelled = false;
  void mcpSocket().then((s) => {
    if (!cancelled) undo = listen(s);
  });
  return () => {
    cancelled = true;
    undo?.();
  };
}

export function closeMcpSocket(): void {
  const closing = socket;
  socket = null;
  void closing?.then((s) => s.disconnect());
}
