import type { PresentedCredential } from './caller';

type Headers = Record<string, string | string[] | undefined>;

// RFC 9110 §11.1: the scheme is case-insensitive ("Bearer", "bearer", "BEARER").
const BEARER = /^bearer[ \t]+(\S+)$/i;

/** One header's value (the first, when repeated). */
export function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Authorization: Bearer <token>`; an empty value when absent or of another scheme. */
export function bearerCredential(headers: Headers): PresentedCredential {
  const match = BEARER.exec(headerValue(headers, 'authorization')?.trim() ?? '');
  return { carrier: 'bearer', value: match?.[1] ?? '' };
}

/** `X-Session-Token` (a VERIFIED session). */
export function sessionTokenCredential(headers: Headers): PresentedCredential {
  return { carrier: 'session_token', value: headerValue(headers, 'x-session-token') ?? '' };
}

/** `X-API-Key` (an integration key). */
export function apiKeyCredential(headers: Headers): PresentedCredential {
  return { carrier: 'api_key', value: headerValue(headers, 'x-api-key') ?? '' };
}
