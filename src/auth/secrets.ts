import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: refresh tokens and OAuth states. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 hex: how tokens are stored and looked up (the value itself is never stored). */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

export function equalSecrets(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
