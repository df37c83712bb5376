import { DomainError, DomainErrorKind } from '../../common/errors/domain-error';

export class InvalidIdempotencyKeyError extends DomainError {
  readonly kind = 'invalid';
  constructor() {
    super('Idempotency-Key must be 1 to 255 printable ASCII characters');
  }
}

/** A copy of a request still running after IDEMPOTENCY_WAIT: retry later, it will replay. */
export class IdempotencyKeyInProgressError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry to get its result');
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  readonly kind = 'unprocessable';
  constructor() {
    super('This Idempotency-Key was already used with a different request');
  }
}

const KIND_BY_STATUS: Record<number, DomainErrorKind> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  402: 'payment_required',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'unavailable',
};

/** A refusal stored by the code before the money core (rows from before its migration). */
export interface StoredFailure {
  message: string;
  label?: string;
  details: Record<string, unknown>;
}

/** A stored refusal from before the money core: the copy gets the same status and body. */
export class ReplayedFailure extends DomainError {
  readonly kind: DomainErrorKind;
  private readonly storedLabel?: string;

  constructor(status: number, stored: StoredFailure) {
    super(stored.message, stored.details);
    this.kind = KIND_BY_STATUS[status] ?? 'conflict';
    this.storedLabel = stored.label;
  }

  override get errorLabel(): string | undefined {
    return this.storedLabel;
  }
}
