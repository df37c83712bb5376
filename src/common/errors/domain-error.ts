/** What kind of failure a domain error is; the one exception filter maps kinds to HTTP statuses. */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payment_required'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

/**
 * Base of the business rule failures services throw. Services never build HTTP responses:
 * `details` become extra fields of the JSON error body.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** The body's `error` field; the HTTP reason phrase unless an API contract fixes another text. */
  get errorLabel(): string | undefined {
    return undefined;
  }

  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}
