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

/** What is stored for a request that failed with a domain error, to replay it verbatim. */
export interface StoredFailure {
  message: string;
  label?: string;
  details: Record<string, unknown>;
}

/** The first response of a key was an error: the copy gets the same status and body. */
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

export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payment_required: 402,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};
