import { DomainError } from '../common/errors/domain-error';
import type { CredentialKind } from './authentication/caller';

/** Wrong email or password: one message for both, so responses never reveal who has an account. */
export class InvalidCredentialsError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('Invalid email or password');
  }
}

/**
 * The one answer to "this account is disabled", whatever credential it presented: 403, except for
 * a VERIFIED session, whose contract (the seeds') answers 401 with the reason in `error`.
 */
export class AccountDisabledError extends DomainError {
  readonly kind: 'forbidden' | 'unauthenticated';
  constructor(credential: CredentialKind = 'access_token') {
    const session = credential === 'session';
    super(session ? 'User account disabled' : 'This account is disabled');
    this.kind = session ? 'unauthenticated' : 'forbidden';
  }

  override get errorLabel(): string | undefined {
    return this.kind === 'unauthenticated' ? this.message : undefined;
  }
}

export class EmailTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('An account with this email already exists');
  }
}

export class GoogleIdTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('This Google account is already linked to an account');
  }
}

export class WeakPasswordError extends DomainError {
  readonly kind = 'invalid';
  constructor(rule: string) {
    super(`Password is too weak: ${rule}`, { rule });
  }
}

/** Missing, malformed, expired or revoked access token. */
export class InvalidAccessTokenError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(message = 'Missing or invalid access token') {
    super(message);
  }
}

export class InvalidRefreshTokenError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(message = 'Invalid or expired refresh token') {
    super(message);
  }
}

export class InsufficientRoleError extends DomainError {
  readonly kind = 'forbidden';
  constructor(required: readonly string[]) {
    super(`This requires the role ${required.join(' or ')}`);
  }
}

/** Wrong, expired, used or burnt one-time code: one message, so codes cannot be probed. */
export class InvalidEmailCodeError extends DomainError {
  readonly kind = 'invalid';
  constructor() {
    super('The code is invalid or has expired');
  }
}

/** A cookie-authenticated request whose Origin is missing or another site. */
export class CrossOriginRequestError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('This request must come from a page of this site (Origin)');
  }
}

export class WrongCurrentPasswordError extends DomainError {
  readonly kind = 'invalid';
  constructor() {
    super('The current password is wrong', { field: 'current_password' });
  }
}
