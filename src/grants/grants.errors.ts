import { DomainError } from '../common/errors/domain-error';

export class GrantNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('Grant not found', { grant_id: id });
  }
}

export class InvalidGrantRequestError extends DomainError {
  readonly kind = 'invalid';
}

/** An integration key limited to users who granted it, acting for a user who did not. */
export class NoGrantError extends DomainError {
  readonly kind = 'forbidden';
  constructor(client: string) {
    super(`The user has not granted ${client} access`, { client });
  }
}
