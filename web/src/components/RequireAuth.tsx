import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { closeMcpSocket, mcpSocket } from '../api/socket';
import { useSession } from '../api/session';
import { ForbiddenPage } from '../pages/NotFound';
import { Loading } from './Loading';

/** Signed-in pages: wait for the silent refresh, else go to sign-in and come back afterwards. */
export function RequireAuth() {
  const state = useSession();
  const location = useLocation();
  useEffect(() => {
    if (state.status === 'signed-out') closeMcpSocket();
    // Every signed-in page keeps the socket: a disable or an ended login reaches this tab at
    // once (the server cuts the socket), and balances stay live. Loaded after the page shows.
    if (state.status === 'signed-in') void mcpSocket();
  }, [state.status]);
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'signed-out') {
    // The one redirect of a signed-out tab: a page that ended the login leaves its notice here
    // instead of navigating itself, which this redirect (rendered first) would overrule.
    const next = `next=${encodeURIComponent(location.pathname + location.search)}`;
    const notice = state.notice ? `notice=${state.notice}&` : '';
    return <Navigate to={`/signin?${notice}${next}`} replace />;
  }
  return <Outlet />;
}

/** The admin console: its code is not even requested for anyone else. */
export function RequireAdmin() {
  const state = useSession();
  if (state.status !== 'signed-in' || state.user.role !== 'admin') return <ForbiddenPage />;
  return <Outlet />;
}

/** Where to go after signing in: `next` when it is a path of this app, else the dashboard. */
export function safeNext(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return '/dashboard';
  }
  return value;
}
