import { useCallback, useState } from 'react';

/**
 * One Idempotency-Key per opened form: a double click or a retry after a network error sends
 * the same key, so the server applies the change once. A new key only after a success.
 */
export function useIdempotencyKey(): [string, () => void] {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const renew = useCallback(() => setKey(crypto.randomUUID()), []);
  return [key, renew];
}
