import createClient from 'openapi-fetch';
import type { paths, Schemas } from '../../../clients/typescript/src';
import { ApiError, type ErrorBody } from './http';

export type { Schemas };

/** The server's message for a disabled account (`AccountDisabledError`). */
export const ACCOUNT_DISABLED = 'This account is disabled';

/** What the client needs of the signed-in tab (session.ts registers itself). */
export interface Credentials {
  readonly token: string | null;
  refresh(): Promise<string | null>;
  signedOut(): void;
}

let credentials: Credentials | null = null;

export function authorizeWith(source: Credentials): void {
  credentials = source;
}

/**
 * Routes a browser calls without an access token (and never retries after a 401: a wrong
 * password is not an expired token). The browser/refresh and browser/logout calls use the
 * HttpOnly cookie, which the browser sends itself on the same origin.
 */
const PUBLIC = new Set<keyof paths>([
  '/api/auth/register',
  '/api/auth/verify-email',
  '/api/auth/resend-verification',
  '/api/auth/forgot-password',
  '/api/auth/reset-password',
  '/api/auth/password-check',
  '/api/auth/browser/login',
  '/api/auth/browser/refresh',
  '/api/auth/browser/logout',
  '/health/ready',
]);

function withToken(request: Request, token: string | null): Request {
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/** Sends with the access token; one silent refresh and retry when the server says 401. */
async function send(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname as keyof paths;
  if (!credentials || PUBLIC.has(path)) return fetch(request);
  const retry = request.clone();
  const res = await fetch(withToken(request, credentials.token));
  if (res.status !== 401) return res;
  const fresh = await credentials.refresh();
  return fresh ? fetch(withToken(retry, fresh)) : res;
}

/**
 * The one client of the hub's REST API in the web app, typed by the OpenAPI document
 * (clients/typescript, regenerated with `npm run client:generate`). Same origin: the refresh
 * cookie goes with the browser/* calls; every other call carries the in-memory access token.
 * Answers are typed as their JSON; the CSV downloads ask for `parseAs: 'blob'`.
 */
export const hub = createClient<paths, 'application/json'>({
  baseUrl: globalThis.location?.origin ?? 'http://localhost',
  credentials: 'same-origin',
  fetch: send,
});

/** One answer of `hub`: its data, or an `ApiError` carrying the server's error envelope. */
export async function unwrap<D, E>(
  pending: Promise<{ data?: D; error?: E; response: Response }>,
): Promise<D> {
  const { data, error, response } = await pending;
  if (response.ok) return data as D;
  throw toApiError(response, error);
}

export function toApiError(response: Response, error: unknown): ApiError {
  const body: ErrorBody =
    typeof error === 'object' && error !== null && typeof (error as ErrorBody).message === 'string'
      ? (error as ErrorBody)
      : {
          statusCode: response.status,
          error: response.statusText,
          message: response.statusText || `HTTP ${response.status}`,
          requestId: response.headers.get('X-Request-ID') ?? '',
        };
  // Disabled while signed in: this tab is signed out at once.
  if (response.status === 403 && body.message === ACCOUNT_DISABLED) credentials?.signedOut();
  return new ApiError(response.status, body);
}
