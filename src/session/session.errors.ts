import { DomainError } from '../common/errors/domain-error';

/**
 * Verification failures. The seeds' contract puts the reason in `error` (e.g. "Session expired"),
 * so each class sets it beside the usual fields.
 */
abstract class SessionVerificationError extends DomainError {
  override get errorLabel(): string {
    return this.message;
  }
}

export class MissingSessionTokenError extends SessionVerificationError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('Missing session token');
  }
}

export class MalformedSessionTokenError extends SessionVerificationError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('Invalid session token');
  }
}

export class SessionNotFoundError extends SessionVerificationError {
  readonly kind = 'not_found';
  constructor() {
    super('Session not found');
  }
}

export class SessionExpiredError extends SessionVerificationError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('Session expired');
  }
}

export class SessionRevokedError extends SessionVerificationError {
  readonly kind = 'unauthenticated';
  constructor() {
    super('Session revoked');
  }
}

/** A session id the caller does not own reads as unknown: no probing of others' ids. */
export class OwnSessionNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('Session not found');
  }
}
