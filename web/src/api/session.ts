import { useSyncExternalStore } from 'react';
import { authorizeWith, hub, unwrap, type Schemas } from './client';

export type SessionUser = Schemas['UserDto'];

/** Why this tab's login ended, when a page ended it on purpose: the sign-in page says so. */
export const SIGNED_OUT_NOTICES = ['changed', 'signedOutEverywhere'] as const;
export type SignedOutNotice = (typeof SIGNED_OUT_NOTICES)[number];

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: SignedOutNotice }
  | { status: 'signed-in'; user: SessionUser };

/**
 * The signed-in browser: the access token lives only in this module's memory; the refresh token
 * only in the HttpOnly cookie the server set, which this code never sees. A refresh runs on load
 * and a minute before the access token expires; concurrent callers share one refresh.
 */
class BrowserSession {
  private state: SessionState = { status: 'loading' };
  private accessToken: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<string | null> | null = null;
  private readonly listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): SessionState => this.state;

  get token(): string | null {
    return this.accessToken;
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  private accept(token: Schemas['BrowserTokenDto']): void {
    this.accessToken = token.access_token;
    clearTimeout(this.timer);
    const refreshInMs = Math.max(5, token.expires_in - 60) * 1000;
    this.timer = setTimeout(() => void this.refresh(), refreshInMs);
    this.set({ status: 'signed-in', user: token.user });
  }

  signedOut(notice?: SignedOutNotice): void {
    this.accessToken = null;
    clearTimeout(this.timer);
    this.set(notice ? { status: 'signed-out', notice } : { status: 'signed-out' });
  }

  async login(email: string, password: string): Promise<void> {
    this.accept(await unwrap(hub.POST('/api/auth/browser/login', { body: { email, password } })));
  }

  /** A new access token from the cookie, or null (signed out) when there is none any more. */
  refresh(): Promise<string | null> {
    this.inFlight ??= (async () => {
      try {
        const { data, response } = await hub.POST('/api/auth/browser/refresh');
        if (response.status !== 200 || !data) {
          this.signedOut();
          return null;
        }
        this.accept(data);
        return this.accessToken;
      } catch {
        if (this.state.status === 'loading') this.signedOut();
        return null;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  async logout(): Promise<void> {
    try {
      await hub.POST('/api/auth/browser/logout');
    } finally {
      this.signedOut();
    }
  }

  updateUser(user: Partial<SessionUser>): void {
    if (this.state.status === 'signed-in') {
      this.set({ status: 'signed-in', user: { ...this.state.user, ...user } });
    }
  }
}

export const session = new BrowserSession();
authorizeWith(session);

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.snapshot);
}
