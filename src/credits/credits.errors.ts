import { DomainError } from '../common/errors/domain-error';

export class InvalidCreditRequestError extends DomainError {
  readonly kind = 'invalid';
}

export class CreditAccountNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(userId: string) {
    super('User not found', { user_id: userId });
  }
}

/** The one refusal of a disabled account, for every money operation. */
export class CreditAccountDisabledError extends DomainError {
  readonly kind = 'forbidden';
  constructor(userId?: string) {
    super('The user account is disabled', userId ? { user_id: userId } : {});
  }
}

/**
 * 402 with what is available and what was asked: `{sufficient: false, balance, required,
 * user_id}`, and `userId` as the seeds pin it.
 */
export class InsufficientCreditsError extends DomainError {
  readonly kind = 'payment_required';
  override get errorLabel(): string {
    return 'Insufficient credits';
  }
  constructor(available: string, required: string, userId: string) {
    super(`Insufficient credits: ${available} available, ${required} required`, {
      sufficient: false,
      balance: available,
      required,
      user_id: userId,
      userId,
    });
  }
}

/** A grant's cap would be passed: distinct from the balance's 402 by `error` and `limit`. */
export class GrantLimitError extends DomainError {
  readonly kind = 'payment_required';
  override get errorLabel(): string {
    return 'Grant limit reached';
  }
  constructor(limit: {
    grantId: string;
    limit: string;
    cap: string;
    remaining: string;
    resetsAt: string | null;
    required: string;
  }) {
    super(`The ${limit.limit} spending limit the user granted this app would be passed`, {
      limit: limit.limit,
      cap: limit.cap,
      remaining: limit.remaining,
      required: limit.required,
      resets_at: limit.resetsAt,
      grant_id: limit.grantId,
    });
  }
}

/**
 * A hold past a limit on the user's holds of its kind (`HoldLimits`): too many active at once
 * (`concurrent`) or taken in the last minute (`per_minute`, with when to retry).
 */
export class HoldLimitError extends DomainError {
  readonly kind = 'rate_limited';
  constructor(
    readonly limit: 'concurrent' | 'per_minute',
    readonly max: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(
      limit === 'concurrent'
        ? `At most ${max} such holds may be active at once`
        : `At most ${max} such holds may be taken per minute`,
      {
        limit,
        max,
        ...(retryAfterSeconds !== undefined ? { retry_after: retryAfterSeconds } : {}),
      },
    );
  }
}

/** The caller's grant ended (revoked or expired) while the request ran. */
export class GrantRevokedError extends DomainError {
  readonly kind = 'forbidden';
  constructor(grantId: string) {
    super("The user revoked this app's grant", { grant_id: grantId });
  }
}

export class CreditTransactionNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(transactionId: string) {
    super('No refundable deduction with this id for this user and caller', {
      transaction_id: transactionId,
    });
  }
}

export class RefundExceedsOriginalError extends DomainError {
  readonly kind = 'conflict';
  constructor(transactionId: string, refundable: string, requested: string) {
    super(
      refundable === '0'
        ? 'This deduction has already been refunded in full'
        : `Refunds would exceed the original deduction: ${refundable} is still refundable`,
      { refunded_transaction_id: transactionId, refundable, requested },
    );
  }
}

export class HoldNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(holdId: string) {
    super('Hold not found', { hold_id: holdId });
  }
}

export class HoldNotActiveError extends DomainError {
  readonly kind = 'conflict';
  constructor(holdId: string, status: string) {
    super(`The hold is ${status}`, { hold_id: holdId, status });
  }
}

export class CaptureExceedsHoldError extends DomainError {
  readonly kind = 'conflict';
  constructor(holdId: string, reserved: string, requested: string) {
    super(`Cannot capture ${requested}: the hold reserves ${reserved}`, {
      hold_id: holdId,
      reserved,
      requested,
    });
  }
}

export class PromoCodeNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('Unknown promo code');
  }
}

export class PromoCodeUnavailableError extends DomainError {
  readonly kind = 'gone';
  constructor(reason: 'expired' | 'exhausted' | 'inactive') {
    super(`This promo code is ${reason}`, { reason });
  }
}

export class PromoCodeAlreadyRedeemedError extends DomainError {
  readonly kind = 'conflict';
  constructor() {
    super('You have already redeemed this promo code');
  }
}
