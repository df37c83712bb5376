import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../auth/secrets';

export const SESSION_TOKEN_PREFIX = 'VERIFIED-';
// 32 random bytes as base64url: 43 characters, 256 bits.
const TOKEN_PATTERN = /^VERIFIED-[A-Za-z0-9_-]{43}$/;

/** A third party's own session id (`?session=` on the Google start, the body of a claim). */
export const THIRD_PARTY_SESSION_ID = /^[A-Za-z0-9._~-]{1,128}$/;

export function generateSessionToken(): string {
  return `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedSessionToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** What is stored and cached instead of the token: a leak of either gives nothing to replay. */
export function hashSessionToken(token: string): string {
  return sha256Hex(token);
}
