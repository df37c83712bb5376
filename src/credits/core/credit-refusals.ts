import type { DomainError } from '../../common/errors/domain-error';
import { formatUnits, unitsFromSql } from '../../common/money/credit-amount';
import {
  CaptureExceedsHoldError,
  CreditAccountDisabledError,
  CreditAccountNotFoundError,
  CreditTransactionNotFoundError,
  GrantLimitError,
  GrantRevokedError,
  HoldLimitError,
  HoldNotActiveError,
  HoldNotFoundError,
  InsufficientCreditsError,
  PromoCodeAlreadyRedeemedError,
  PromoCodeNotFoundError,
  PromoCodeUnavailableError,
  RefundExceedsOriginalError,
} from '../credits.errors';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
} from '../idempotency/idempotency.errors';
import type { CreditOp, Outcome } from './credit-operations';

function text(outcome: Outcome, field: string): string {
  return formatUnits(unitsFromSql(outcome[field] as string));
}

/** What an operation needed available: its cost, its hold, what an adjustment takes. */
function required(op: CreditOp): bigint {
  switch (op.op) {
    case 'operator_change':
      return -op.amount;
    case 'deduct':
    case 'reserve':
    case 'check':
      return op.amount;
    default:
      return 0n;
  }
}

/**
 * The one mapping from a refused outcome of the money core to its domain error (and so to its
 * HTTP status and body). A replayed refusal maps the same way, so it answers the same body.
 */
export function refusal(op: CreditOp, outcome: Outcome): DomainError {
  const user = 'user' in op ? (op.user ?? undefined) : undefined;
  const hold = 'hold' in op ? op.hold : '';
  const transaction = op.op === 'refund' ? op.transaction : '';
  switch (outcome.kind) {
    case 'insufficient':
      return new InsufficientCreditsError(
        text(outcome, 'available'),
        formatUnits(required(op)),
        user ?? '',
      );
    case 'disabled':
      return new CreditAccountDisabledError(user);
    case 'unknown_user':
    case 'no_account':
      return new CreditAccountNotFoundError(user ?? '');
    case 'grant_limit':
      return new GrantLimitError({
        grantId: outcome.grant_id as string,
        limit: outcome.limit as string,
        cap: text(outcome, 'cap'),
        remaining: text(outcome, 'remaining'),
        resetsAt: outcome.resets_at ? new Date(outcome.resets_at as string).toISOString() : null,
        required: formatUnits(required(op)),
      });
    case 'grant_revoked':
      return new GrantRevokedError(outcome.grant_id as string);
    case 'hold_limit':
      return new HoldLimitError(
        outcome.limit as 'concurrent' | 'per_minute',
        outcome.max as number,
        outcome.retry_after_seconds as number | undefined,
      );
    case 'hold_not_found':
      return new HoldNotFoundError(hold);
    case 'hold_not_active':
      return new HoldNotActiveError(hold, outcome.status as string);
    case 'capture_exceeds':
      return new CaptureExceedsHoldError(
        hold,
        text(outcome, 'reserved'),
        formatUnits(op.op === 'capture' ? op.amount : 0n),
      );
    case 'transaction_not_found':
      return new CreditTransactionNotFoundError(transaction);
    case 'refund_exceeds':
      return new RefundExceedsOriginalError(
        transaction,
        text(outcome, 'refundable'),
        text(outcome, 'requested'),
      );
    case 'promo_not_found':
      return new PromoCodeNotFoundError();
    case 'promo_unavailable':
      return new PromoCodeUnavailableError(outcome.reason as 'expired' | 'exhausted' | 'inactive');
    case 'promo_already_redeemed':
      return new PromoCodeAlreadyRedeemedError();
    case 'in_progress':
      return new IdempotencyKeyInProgressError();
    case 'key_reused':
      return new IdempotencyKeyReusedError();
    default:
      throw new Error(`Unknown outcome of the money core: ${outcome.kind}`);
  }
}
