import { ApiError, readError } from './http';
import { session } from './session';

export { ApiError };

/** The server's message for a disabled account (`AccountDisabledError`). */
export const ACCOUNT_DISABLED = 'This account is disabled';

interface Options {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Public routes (sign-up, codes) go without the access token. */
  anonymous?: boolean;
  signal?: AbortSignal;
}

/** Raw fetch with the access token; one silent refresh and retry when the server says 401. */
export async function authorizedFetch(path: string, options: Options = {}): Promise<Response> {
  const send = (token: string | null) =>
    fetch(path, {
      method: options.method ?? 'GET',
      signal: options.signal,
      headers: {
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token && !options.anonymous ? { Authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
  let res = await send(session.token);
  if (res.status === 401 && !options.anonymous) {
    const token = await session.refresh();
    if (token) res = await send(token);
  }
  return res;
}

/** JSON in, JSON out; failures throw ApiError with the server's message. */
export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const res = await authorizedFetch(path, options);
  if (!res.ok) {
    const error = await readError(res);
    // Disabled while signed in: this tab is signed out at once.
    if (error.status === 403 && error.message === ACCOUNT_DISABLED) session.signedOut();
    throw error;
  }
  if (res.status === 204 || res.status === 202) return undefined as T;
  return (await res.json()) as T;
}
