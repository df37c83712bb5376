import type { UserRole, UserStatus } from '../entities/user.entity';

/**
 * Every kind of credential the hub accepts; each has one resolver (`CredentialResolver`). An
 * OAuth bearer access token is one more kind with one more resolver.
 */
export type CredentialKind = 'access_token' | 'session' | 'integration_key' | 'oauth_token';

/** Where a credential arrives: `Authorization: Bearer`, `X-Session-Token` or `X-API-Key`. */
export type CredentialCarrier = 'bearer' | 'session_token' | 'api_key';

export interface PresentedCredential {
  carrier: CredentialCarrier;
  /** The raw value; empty when the carrier was absent. */
  value: string;
}

/** The request a credential came with: the client IP counts failed guesses (absent: a re-check). */
export interface AuthenticationContext {
  ip?: string;
  requestId?: string;
}

/** A person, through an access token or a VERIFIED session. */
export interface UserCaller {
  type: 'user';
  credential: CredentialKind;
  user: { id: string; email: string; name: string };
  /** Only an access token carries the account's role; other credentials act as a plain user. */
  role: UserRole | null;
  /** The login (refresh-token family) of an access token; the session id of a VERIFIED session. */
  credentialId: string;
  /** When the credential stops being valid: the access token's `exp`, the session's expiry. */
  expiresAt: Date;
  /**
   * An app acting for the user (an OAuth access token): its client id, the spending grant it
   * acts under and the scopes the user consented to. Absent for the user's own credentials.
   */
  client?: {
    id: string;
    grantId: string;
    scopes: readonly string[];
    /** The resources (RFC 8707) the token is for; each resource refuses the others' tokens. */
    audience: readonly string[];
  };
}

/** A third-party service, through an integration key. */
export interface IntegrationCaller {
  type: 'integration';
  credential: CredentialKind;
  /** `userScope` `granted`: acts only for users with a live grant to `name`. */
  integration: {
    id: string;
    name: string;
    scopes: readonly string[];
    userScope: 'granted' | 'all';
  };
  credentialId: string;
}

/** Who is calling: what `AuthenticationService.authenticate` answers for any credential. */
export type Caller = UserCaller | IntegrationCaller;

/** What a resolver found; the service applies the rules every credential shares (disabled users). */
export type ResolvedCredential =
  (Omit<UserCaller, 'credential'> & { status: UserStatus }) | Omit<IntegrationCaller, 'credential'>;

/**
 * Turns one kind of credential into a caller. It throws its credential's own error when the value
 * is malformed, unknown, expired or revoked (each store decides its revocations); whether the
 * account is disabled is decided once, by `AuthenticationService`.
 */
export interface CredentialResolver {
  readonly kind: CredentialKind;
  readonly carrier: CredentialCarrier;
  /** Whether `value` is this kind's (e.g. a JWT's shape), when several kinds share a carrier. */
  recognizes(value: string): boolean;
  resolve(value: string, context: AuthenticationContext): Promise<ResolvedCredential>;
}
