import { InvalidIdempotencyKeyError } from './idempotency.errors';
import { sha256Hex } from '../../auth/secrets';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The `Idempotency-Key` header's shape: 1 to 255 printable ASCII characters, else 400. */
export function validateIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!KEY_FORMAT.test(key)) throw new InvalidIdempotencyKeyError();
  return key;
}

/** SHA-256 of the operation and its canonical request: another request under a key → 422. */
export function requestFingerprint(operation: string, payload: unknown): string {
  return sha256Hex(canonicalJson({ operation, payload }));
}
