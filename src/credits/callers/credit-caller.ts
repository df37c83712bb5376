/**
 * Who is calling the credit API, resolved by `CreditCallerGuard` from `X-API-Key` (+`X-User-ID`)
 * or `X-Session-Token`. `actor` is written into every ledger row the call makes and scopes
 * idempotency keys and refunds: an integration may refund only what it deducted itself.
 */
export interface CreditCaller {
  /** The user whose credits are checked or moved. */
  userId: string;
  /** `api_key:<name>` for an integration key, `user:<id>` for the user's own session,
   * `oauth:<client_id>` for an OAuth client. */
  actor: string;
  via: 'api_key' | 'session' | 'oauth';
  /** The integration key's id (via `api_key`), the session's id (via `session`), the grant's (via `oauth`). */
  credentialId: string;
  /**
   * The spending grant the app acts under (an OAuth client, or a `granted` integration key):
   * every money move is checked and counted against it by the money core.
   */
  grantId?: string;
}
