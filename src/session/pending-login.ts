/**
 * How a Google login met the third party's pending claim: `bound` to this account (the service
 * that already polled is named), `elsewhere` (another browser started or already completed it,
 * S-12), or `none` (no live claim).
 */
export type PendingLoginOutcome =
  { state: 'bound'; client: string | null } | { state: 'elsewhere' } | { state: 'none' };
