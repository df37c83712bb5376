import { DomainError } from '../common/errors/domain-error';

export class InvalidAdminRequestError extends DomainError {
  readonly kind = 'invalid';
}

export class AdminUserNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('User not found', { userId: id });
  }
}

/** An admin may not lock themself out: no self-demotion, no self-disabling. */
export class SelfLockoutError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('An admin cannot demote or disable their own account');
  }
}

export class AdminSessionNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('Session not found', { sessionId: id });
  }
}
