/** Who a grant is given to: an OAuth client (its client_id) or an integration (its key name). */
export type GrantClientType = 'oauth' | 'integration';
export type GrantPeriod = 'day' | 'month';
export type GrantSource = 'consent' | 'implicit' | 'admin';

/** What a user allows one app to spend; amounts are bigint units of 0.0001. */
export interface GrantRecord {
  id: string;
  userId: string;
  clientType: GrantClientType;
  clientId: string;
  /** The app's name: the OAuth client's `client_name`, else the client id or integration name. */
  clientName: string;
  scopes: string[];
  period: GrantPeriod;
  periodCap: bigint | null;
  totalCap: bigint | null;
  /** Spent in the current period (0 when the period recorded has ended). */
  periodSpent: bigint;
  totalSpent: bigint;
  /** Reserved by the app's holds not yet settled. */
  held: bigint;
  source: GrantSource;
  oidcGrantId: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** The caps a user, a consent or an admin sets. */
export interface GrantCaps {
  period: GrantPeriod;
  periodCap: bigint | null;
  totalCap: bigint | null;
}
