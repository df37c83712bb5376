import { ApiProperty } from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import type { CaptureResult, HoldView, ReleaseResult } from '../credit-holds.service';
import type {
  BalanceView,
  CheckResult,
  DeductResult,
  RefundResult,
  TransactionPage,
  TransactionView,
} from '../credit-ledger.service';
import { CREDIT_TRANSACTION_TYPES } from '../credit-types';
import type { RedeemResult } from '../promo/promo-codes.service';

/** A credit amount on the wire: a decimal string with at most 4 decimal places, never a float. */
export const DECIMAL = { type: String, pattern: '^-?\\d+(\\.\\d{1,4})?$' } as const;
const USER_ID_PINNED = {
  format: 'uuid',
  description: 'The same as user_id: the seeds pin this name for check and deduct',
} as const;

export class CheckResultDto {
  @ApiProperty({ enum: [true] }) sufficient!: true;
  @ApiProperty({ ...DECIMAL, example: '150', description: 'Available: balance − active holds' })
  balance!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty(USER_ID_PINNED) userId!: string;

  static from(result: CheckResult): CheckResultDto {
    return {
      sufficient: true,
      balance: result.balance,
      user_id: result.userId,
      userId: result.userId,
    };
  }
}

/** 402 of check, deduct, holds and adjustments: what is available and what was asked. */
export class InsufficientCreditsErrorDto extends ErrorResponseDto {
  @ApiProperty({ enum: [false] }) sufficient!: false;
  @ApiProperty({ ...DECIMAL, example: '20', description: 'Available credits' }) balance!: string;
  @ApiProperty({ ...DECIMAL, example: '30' }) required!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty(USER_ID_PINNED) userId!: string;
}

/**
 * 402 of a deduct or hold by an app acting under a spending grant (OAuth client, `granted` key):
 * which limit bound, its cap and what remains.
 */
export class GrantLimitErrorDto extends ErrorResponseDto {
  @ApiProperty({ enum: ['daily', 'monthly', 'total'] }) limit!: string;
  @ApiProperty({ ...DECIMAL, example: '50' }) cap!: string;
  @ApiProperty({ ...DECIMAL, example: '0.5' }) remaining!: string;
  @ApiProperty({ ...DECIMAL, example: '1' }) required!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resets_at!: string | null;
  @ApiProperty({ format: 'uuid' }) grant_id!: string;
}

export class DeductResultDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ ...DECIMAL, example: '120' }) new_balance!: string;
  @ApiProperty({ ...DECIMAL, example: '120', description: 'new_balance − active holds' })
  available!: string;
  @ApiProperty({ format: 'uuid' }) transaction_id!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty(USER_ID_PINNED) userId!: string;

  static from(result: DeductResult): DeductResultDto {
    return {
      status: 'ok',
      new_balance: result.new_balance,
      available: result.available,
      transaction_id: result.transaction_id,
      user_id: result.userId,
      userId: result.userId,
    };
  }
}

export class RefundResultDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ ...DECIMAL, example: '150' }) new_balance!: string;
  @ApiProperty({ format: 'uuid', description: 'The refund row' }) transaction_id!: string;
  @ApiProperty({ format: 'uuid', description: 'The deduction refunded' })
  refunded_transaction_id!: string;
  @ApiProperty({ ...DECIMAL, example: '30' }) amount!: string;
  @ApiProperty({ ...DECIMAL, example: '0', description: 'What may still be refunded of it' })
  refundable!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;

  static from(result: RefundResult): RefundResultDto {
    return {
      status: 'ok',
      new_balance: result.new_balance,
      transaction_id: result.transaction_id,
      refunded_transaction_id: result.refunded_transaction_id,
      amount: result.amount,
      refundable: result.refundable,
      user_id: result.userId,
    };
  }
}

export class HoldDto {
  @ApiProperty({ format: 'uuid' }) hold_id!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty({ example: 'sora2-video-generation' }) service!: string;
  @ApiProperty({ ...DECIMAL, example: '30', description: 'Credits reserved' }) amount!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ ...DECIMAL, example: '120', description: 'Available after the reservation' })
  available!: string;

  static from(hold: HoldView): HoldDto {
    return {
      hold_id: hold.holdId,
      user_id: hold.userId,
      service: hold.service,
      amount: hold.amount,
      expires_at: hold.expiresAt,
      available: hold.available,
    };
  }
}

export class CaptureResultDto {
  @ApiProperty({ format: 'uuid' }) hold_id!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ledger row; null when 0 was captured',
  })
  transaction_id!: string | null;
  @ApiProperty({ ...DECIMAL, example: '125', description: 'Balance after the capture' })
  new_balance!: string;
  @ApiProperty({ ...DECIMAL, example: '125' }) available!: string;
  @ApiProperty({ ...DECIMAL, example: '25' }) captured_amount!: string;
  @ApiProperty({ ...DECIMAL, example: '5', description: 'Reserved but not charged: freed' })
  released_amount!: string;

  static from(result: CaptureResult): CaptureResultDto {
    return {
      hold_id: result.holdId,
      transaction_id: result.transactionId,
      new_balance: result.balance,
      available: result.available,
      captured_amount: result.capturedAmount,
      released_amount: result.releasedAmount,
    };
  }
}

export class ReleaseResultDto {
  @ApiProperty({ format: 'uuid' }) hold_id!: string;
  @ApiProperty({ enum: ['released'] }) status!: 'released';
  @ApiProperty({ ...DECIMAL, example: '150' }) available!: string;

  static from(result: ReleaseResult): ReleaseResultDto {
    return { hold_id: result.holdId, status: result.status, available: result.available };
  }
}

export class BalanceDto {
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty({ ...DECIMAL, example: '150' }) balance!: string;
  @ApiProperty({ ...DECIMAL, example: '120', description: 'balance − held' }) available!: string;
  @ApiProperty({ ...DECIMAL, example: '30', description: 'Reserved by active holds' })
  held!: string;

  static from(view: BalanceView): BalanceDto {
    return {
      user_id: view.userId,
      balance: view.balance,
      available: view.available,
      held: view.held,
    };
  }
}

/** One ledger row. */
export class TransactionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CREDIT_TRANSACTION_TYPES }) type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'sora2-video-generation' })
  service!: string | null;
  @ApiProperty({ ...DECIMAL, example: '-30', description: 'Signed: negative spends' })
  amount!: string;
  @ApiProperty({ ...DECIMAL, example: '150' }) balance_before!: string;
  @ApiProperty({ ...DECIMAL, example: '120' }) balance_after!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "The caller's metadata as sent, and what the hub adds (snake_case)",
  })
  metadata!: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'For a refund' })
  refunds_transaction_id!: string | null;
  @ApiProperty({ example: 'api_key:sora2' }) actor!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(view: TransactionView): TransactionDto {
    return {
      id: view.id,
      type: view.type,
      service: view.service,
      amount: view.amount,
      balance_before: view.balance_before,
      balance_after: view.balance_after,
      metadata: view.metadata,
      refunds_transaction_id: view.refunds_transaction_id,
      actor: view.actor,
      created_at: view.created_at,
    };
  }
}

export class TransactionPageDto {
  @ApiProperty({ type: [TransactionDto] }) items!: TransactionDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next (older) page; null at the end',
  })
  next_cursor!: string | null;

  static from(page: TransactionPage): TransactionPageDto {
    return {
      items: page.items.map((row) => TransactionDto.from(row)),
      next_cursor: page.next_cursor,
    };
  }
}

export class RedeemResultDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ example: 'WELCOME-7KQ9' }) code!: string;
  @ApiProperty({ ...DECIMAL, example: '50' }) amount!: string;
  @ApiProperty({ ...DECIMAL, example: '200' }) new_balance!: string;
  @ApiProperty({ format: 'uuid' }) transaction_id!: string;

  static from(result: RedeemResult): RedeemResultDto {
    return {
      status: 'ok',
      code: result.code,
      amount: result.amount,
      new_balance: result.new_balance,
      transaction_id: result.transaction_id,
    };
  }
}
