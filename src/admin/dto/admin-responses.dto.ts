import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../auth/dto/auth-responses.dto';
import type { UserView } from '../../auth/users.service';
import type { AuditLogEntry } from '../../common/audit/audit-log.entity';
import { formatUnits } from '../../common/money/credit-amount';
import type { HoldRecord } from '../../credits/credit-holds.repository';
import type {
  BalanceView,
  CreditResult,
  TransactionView,
} from '../../credits/credit-ledger.service';
import { DECIMAL, TransactionDto } from '../../credits/dto/credit-responses.dto';
import type { LedgerRowPage, LedgerRowView, UsageView } from '../../credits/ledger-reports.service';
import type { PromoCodeView } from '../../credits/promo/promo-codes.service';
import type { ApiKeyView, CreatedApiKeyView } from '../admin-api-keys.service';
import type { SessionView, UserDetailView, UserUpdateResult } from '../admin-users.service';

const NEXT_CURSOR = {
  type: String,
  nullable: true,
  description: 'Pass as cursor for the next (older) page; null at the end',
} as const;
const NULLABLE_TIME = { type: String, format: 'date-time', nullable: true } as const;

export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;

  static from(page: { items: UserView[]; next_cursor: string | null }): UserPageDto {
    return { items: page.items.map((user) => UserDto.from(user)), next_cursor: page.next_cursor };
  }
}

class CreditsSummaryDto {
  @ApiProperty({ ...DECIMAL, example: '150' }) balance!: string;
  @ApiProperty({ ...DECIMAL, example: '120' }) available!: string;
  @ApiProperty({ ...DECIMAL, example: '30' }) held!: string;
}

export class UserDetailDto extends UserDto {
  @ApiProperty({ type: CreditsSummaryDto }) credits!: CreditsSummaryDto;
  @ApiProperty({ example: 2 }) live_sessions!: number;
  @ApiProperty({
    ...NULLABLE_TIME,
    description: 'Latest session use, login, token refresh or ledger row',
  })
  last_activity_at!: string | null;

  static fromDetail(detail: UserDetailView): UserDetailDto {
    const { balance, available, held } = detail.credits;
    return {
      ...UserDto.from(detail),
      credits: { balance, available, held },
      live_sessions: detail.live_sessions,
      last_activity_at: detail.last_activity_at,
    };
  }
}

export class UserUpdateResultDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ description: 'VERIFIED sessions revoked (disabling revokes all)' })
  sessions_revoked!: number;
  @ApiProperty({ description: 'Logins (refresh tokens) revoked' })
  refresh_tokens_revoked!: number;

  static from(result: UserUpdateResult): UserUpdateResultDto {
    return {
      user: UserDto.from(result.user),
      sessions_revoked: result.sessions_revoked,
      refresh_tokens_revoked: result.refresh_tokens_revoked,
    };
  }
}

/** A user's VERIFIED session as an operator sees it (never the token). */
export class AdminSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ ...NULLABLE_TIME, description: 'When a service collected it (device flow)' })
  claimed_at!: string | null;
  @ApiProperty(NULLABLE_TIME) last_used_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ type: String, nullable: true }) user_agent!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'sora2' }) client_name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'chatgpt' }) return_to!: string | null;

  static from(view: SessionView): AdminSessionDto {
    return {
      id: view.id,
      created_at: view.created_at,
      expires_at: view.expires_at,
      claimed_at: view.claimed_at,
      last_used_at: view.last_used_at,
      ip: view.ip,
      user_agent: view.user_agent,
      client_name: view.client_name,
      return_to: view.return_to,
    };
  }
}

export class AdminCreditResultDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ ...DECIMAL, example: '250' }) new_balance!: string;
  @ApiProperty({ ...DECIMAL, example: '250' }) available!: string;
  @ApiProperty({ format: 'uuid' }) transaction_id!: string;
  @ApiProperty({ ...DECIMAL, example: '100', description: 'Signed for an adjustment' })
  amount!: string;
  @ApiProperty({ format: 'uuid' }) user_id!: string;

  static from(result: CreditResult): AdminCreditResultDto {
    return {
      status: 'ok',
      new_balance: result.new_balance,
      available: result.available,
      transaction_id: result.transaction_id,
      amount: result.amount,
      user_id: result.userId,
    };
  }
}

/** An active hold as operators see it (`hold_id`, as the holds API names it). */
export class ActiveHoldDto {
  @ApiProperty({ format: 'uuid' }) hold_id!: string;
  @ApiProperty({ example: 'chat' }) service!: string;
  @ApiProperty({ ...DECIMAL, example: '5' }) amount!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(hold: HoldRecord): ActiveHoldDto {
    return {
      hold_id: hold.id,
      service: hold.service,
      amount: formatUnits(hold.amount),
      expires_at: hold.expiresAt.toISOString(),
      created_at: hold.createdAt.toISOString(),
    };
  }
}

export class UserCreditsDto {
  @ApiProperty({ format: 'uuid' }) user_id!: string;
  @ApiProperty({ ...DECIMAL, example: '150' }) balance!: string;
  @ApiProperty({ ...DECIMAL, example: '120' }) available!: string;
  @ApiProperty({ ...DECIMAL, example: '30' }) held!: string;
  @ApiProperty({ type: [ActiveHoldDto] }) active_holds!: ActiveHoldDto[];
  @ApiProperty({ type: [TransactionDto], description: 'The 20 latest ledger rows' })
  recent_transactions!: TransactionDto[];

  static from(
    balance: BalanceView,
    holds: HoldRecord[],
    recent: TransactionView[],
  ): UserCreditsDto {
    return {
      user_id: balance.userId,
      balance: balance.balance,
      available: balance.available,
      held: balance.held,
      active_holds: holds.map((hold) => ActiveHoldDto.from(hold)),
      recent_transactions: recent.map((row) => TransactionDto.from(row)),
    };
  }
}

/** A ledger row across users: the user's own view plus whose row it is. */
export class LedgerRowDto extends TransactionDto {
  @ApiProperty({ format: 'uuid' }) user_id!: string;

  static fromRow(row: LedgerRowView): LedgerRowDto {
    return { ...TransactionDto.from(row), user_id: row.user_id };
  }
}

export class LedgerRowPageDto {
  @ApiProperty({ type: [LedgerRowDto] }) items!: LedgerRowDto[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;

  static from(page: LedgerRowPage): LedgerRowPageDto {
    return {
      items: page.items.map((row) => LedgerRowDto.fromRow(row)),
      next_cursor: page.next_cursor,
    };
  }
}

export class UsageRowDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The day (YYYY-MM-DD, UTC), service, model or user id; null when not recorded',
  })
  key!: string | null;
  @ApiProperty({ ...DECIMAL, example: '12.5' }) credits_spent!: string;
  @ApiProperty({ ...DECIMAL, example: '100' }) credits_added!: string;
  @ApiProperty() transactions!: number;
  @ApiProperty() users!: number;

  static from(row: UsageView): UsageRowDto {
    return {
      key: row.key,
      credits_spent: row.credits_spent,
      credits_added: row.credits_added,
      transactions: row.transactions,
      users: row.users,
    };
  }
}

export class PromoCodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'WELCOME-7KQ9' }) code!: string;
  @ApiProperty({ ...DECIMAL, example: '50' }) amount!: string;
  @ApiProperty({ example: 100 }) max_redemptions!: number;
  @ApiProperty({ example: 3 }) redemption_count!: number;
  @ApiProperty(NULLABLE_TIME) expires_at!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(view: PromoCodeView): PromoCodeDto {
    return {
      id: view.id,
      code: view.code,
      amount: view.amount,
      max_redemptions: view.max_redemptions,
      redemption_count: view.redemption_count,
      expires_at: view.expires_at,
      active: view.active,
      created_at: view.created_at,
    };
  }
}

export class PromoCodePageDto {
  @ApiProperty({ type: [PromoCodeDto] }) items!: PromoCodeDto[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;

  static from(page: { items: PromoCodeView[]; next_cursor: string | null }): PromoCodePageDto {
    return { items: page.items.map((p) => PromoCodeDto.from(p)), next_cursor: page.next_cursor };
  }
}

export class PromoBatchDto {
  @ApiProperty({ example: 100 }) count!: number;
  @ApiProperty({ type: [PromoCodeDto] }) items!: PromoCodeDto[];

  static from(codes: PromoCodeView[]): PromoBatchDto {
    return { count: codes.length, items: codes.map((p) => PromoCodeDto.from(p)) };
  }
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'sora2' }) name!: string;
  @ApiProperty({ example: 'sah_live_3f9a', description: 'The first characters, to recognise it' })
  prefix!: string;
  @ApiProperty({ type: [String], example: ['credits:check', 'credits:deduct'] }) scopes!: string[];
  @ApiProperty({ enum: ['env', 'admin'], description: 'INTEGRATION_API_KEYS or the Admin API' })
  source!: 'env' | 'admin';
  @ApiProperty({
    enum: ['granted', 'all'],
    description:
      '`granted`: acts only for users who granted its integration; `all`: for any user (first-party)',
  })
  user_scope!: 'granted' | 'all';
  @ApiProperty({ type: String, nullable: true, description: 'The admin who created it' })
  created_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty(NULLABLE_TIME) last_used_at!: string | null;
  @ApiProperty(NULLABLE_TIME) revoked_at!: string | null;

  static from(view: ApiKeyView): ApiKeyDto {
    return {
      id: view.id,
      name: view.name,
      prefix: view.prefix,
      scopes: view.scopes,
      source: view.source,
      user_scope: view.user_scope,
      created_by: view.created_by,
      created_at: view.created_at,
      last_used_at: view.last_used_at,
      revoked_at: view.revoked_at,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The full key: shown in this response only' }) key!: string;

  static fromCreated(view: CreatedApiKeyView): CreatedApiKeyDto {
    return { ...ApiKeyDto.from(view), key: view.key };
  }
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actor_id!: string | null;
  @ApiProperty({ example: 'admin' }) actor_type!: string;
  @ApiProperty({ example: 'credits.topup' }) action!: string;
  @ApiProperty({ example: 'user' }) target_type!: string;
  @ApiProperty({ type: String, nullable: true }) target_id!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  before!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  after!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) request_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static from(entry: AuditLogEntry): AuditEntryDto {
    return {
      id: entry.id,
      actor_id: entry.actorId,
      actor_type: entry.actorType,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      before: entry.before,
      after: entry.after,
      request_id: entry.requestId,
      ip: entry.ip,
      created_at: entry.createdAt.toISOString(),
    };
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty(NEXT_CURSOR) next_cursor!: string | null;
}
