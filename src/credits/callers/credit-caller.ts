/**
 * Who is calling the credit API, resolved by `CreditCallerGuard` from `X-API-Key` (+`X-User-ID`)
 * or `X-Session-Token`. `actor` is written into every ledger row the call makes and scopes
 * idempotency keys and refunds: an integration may refund only what it deducted itself.
 */
export interface CreditCaller {
  /** The user whose credits are checked or moved. */
  userId: string;
  /** `api_key:<name>` for an integration key, `user:<id>` for the user's own session. */
  actor: string;
  via: 'api_key' | 'session';
  /** The integration key's id (via `api_key`) or the session's id (via `session`). */
  credentialId: string;
}
