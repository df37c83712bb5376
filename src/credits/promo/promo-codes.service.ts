import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { formatUnits } from '../../common/money/credit-amount';
import { RateLimiterService } from '../../rate-limit/rate-limiter.service';
import { Clock } from '../../common/time/clock';
import { CreditCore } from '../core/credit-core';
import { amountOf } from '../credit-ledger.service';
import { CreditAmountRules, isUuid } from '../credit-rules';
import { InvalidCreditRequestError, PromoCodeNotFoundError } from '../credits.errors';
import { PromoCodeRecord, PromoCodesRepository } from './promo-codes.repository';

export class PromoCodeTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor(code: string) {
    super('A promo code with this code already exists', { code });
  }
}

export interface RedeemResult {
  status: 'ok';
  code: string;
  amount: string;
  new_balance: string;
  transaction_id: string;
}

export interface PromoCodeView {
  id: string;
  code: string;
  amount: string;
  max_redemptions: number;
  redemption_count: number;
  expires_at: string | null;
  active: boolean;
  created_at: string;
}

/** No 0/O, 1/I/L: codes are read aloud and typed from screenshots. */
const UNAMBIGUOUS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_FORMAT = /^[A-Z0-9][A-Z0-9_-]{2,63}$/;
const PREFIX_FORMAT = /^[A-Z0-9][A-Z0-9_-]{0,31}$/;
/** Most codes one batch may create. */
export const PROMO_BATCH_MAX = 1000;

export function normalizePromoCode(code: string): string {
  return code.trim().toUpperCase();
}

export function generatePromoCode(prefix = '', length = 10): string {
  let code = prefix;
  for (let i = 0; i < length; i++) code += UNAMBIGUOUS[randomInt(UNAMBIGUOUS.length)];
  return code;
}

export function toPromoCodeView(promo: PromoCodeRecord): PromoCodeView {
  return {
    id: promo.id,
    code: promo.code,
    amount: formatUnits(promo.amount),
    max_redemptions: promo.maxRedemptions,
    redemption_count: promo.redemptionCount,
    expires_at: promo.expiresAt?.toISOString() ?? null,
    active: promo.active,
    created_at: promo.createdAt.toISOString(),
  };
}

/**
 * Promo codes: redemption (one call of the money core: one `promo` ledger row, once per user; the
 * last use of a code goes to exactly one of the users racing for it, because redemptions lock the
 * code's row) and creation, which the Admin API exposes.
 */
// Generous for a person typing a code, hopeless for enumerating the code space.
const REDEEM_ATTEMPTS_PER_MINUTE = 10;

@Injectable()
export class PromoCodesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly promos: PromoCodesRepository,
    private readonly core: CreditCore,
    private readonly amounts: CreditAmountRules,
    private readonly clock: Clock,
    private readonly limiter: RateLimiterService,
  ) {}

  /**
   * 404 unknown, 410 expired/exhausted/inactive, 409 already redeemed by this user. Codes are
   * guessable, so attempts are limited per user (429 past REDEEM_ATTEMPTS_PER_MINUTE).
   */
  async redeem(userId: string, rawCode: string): Promise<RedeemResult> {
    await this.limiter.hit(`promo-redeem:${userId}`, REDEEM_ATTEMPTS_PER_MINUTE, 60_000);
    return this.core.run(
      { op: 'redeem_promo', user: userId, code: normalizePromoCode(rawCode) },
      (outcome) => ({
        status: 'ok' as const,
        code: outcome.code as string,
        amount: amountOf(outcome, 'amount'),
        new_balance: amountOf(outcome, 'balance'),
        transaction_id: outcome.transaction_id as string,
      }),
    );
  }

  /**
   * Creates a code (generated from an unambiguous alphabet when omitted); duplicate → 409.
   * `manager`: the caller's transaction (the Admin API writes its audit row in it).
   */
  async create(
    input: {
      code?: string;
      amount: unknown;
      maxRedemptions: number;
      expiresAt?: Date | null;
      createdBy?: string | null;
    },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PromoCodeView> {
    const amount = this.parseTerms(input);
    const code = input.code === undefined ? generatePromoCode() : normalizePromoCode(input.code);
    if (!CODE_FORMAT.test(code)) {
      throw new InvalidCreditRequestError(
        'code must be 3 to 64 letters, digits, dashes or underscores',
      );
    }
    const created = await this.promos.insert(manager, {
      code,
      amount,
      maxRedemptions: input.maxRedemptions,
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy ?? null,
      at: this.clock.now(),
    });
    if (!created) throw new PromoCodeTakenError(code);
    return toPromoCodeView(created);
  }

  /**
   * Creates `count` (1 to PROMO_BATCH_MAX) generated codes `<prefix><10 characters>` alike, in the
   * caller's transaction; a generated code that happens to exist already is replaced by another.
   */
  async createBatch(
    input: {
      count: number;
      prefix?: string;
      amount: unknown;
      maxRedemptions: number;
      expiresAt?: Date | null;
      createdBy?: string | null;
    },
    manager: EntityManager,
  ): Promise<PromoCodeView[]> {
    const amount = this.parseTerms(input);
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > PROMO_BATCH_MAX) {
      throw new InvalidCreditRequestError(`count must be an integer from 1 to ${PROMO_BATCH_MAX}`);
    }
    const prefix = input.prefix === undefined ? '' : normalizePromoCode(input.prefix);
    if (prefix && !PREFIX_FORMAT.test(prefix)) {
      throw new InvalidCreditRequestError(
        'prefix must be 1 to 32 letters, digits, dashes or underscores',
      );
    }
    const created: PromoCodeRecord[] = [];
    const at = this.clock.now();
    // 31^10 codes per prefix: a collision is rare, a second one in a row rarer still.
    for (let attempt = 0; created.length < input.count && attempt < 5; attempt++) {
      const wanted = new Set<string>();
      while (wanted.size < input.count - created.length) wanted.add(generatePromoCode(prefix));
      created.push(
        ...(await this.promos.insertMany(manager, [...wanted], {
          amount,
          maxRedemptions: input.maxRedemptions,
          expiresAt: input.expiresAt ?? null,
          createdBy: input.createdBy ?? null,
          at,
        })),
      );
    }
    if (created.length < input.count) throw new Error('Could not generate unique promo codes');
    return created.map(toPromoCodeView);
  }

  /** Newest first with their redemption counts; `cursor` is the last id of the previous page. */
  async list(
    filter: { active?: boolean },
    limit: number,
    cursor?: string,
  ): Promise<{ items: PromoCodeView[]; next_cursor: string | null }> {
    if (cursor !== undefined && !isUuid(cursor)) {
      throw new InvalidCreditRequestError('cursor must be a next_cursor from a previous page');
    }
    const rows = await this.promos.list(this.dataSource.manager, filter, limit + 1, cursor);
    const items = rows.slice(0, limit).map(toPromoCodeView);
    return {
      items,
      next_cursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null,
    };
  }

  /** Switches a code on or off in the caller's transaction; 404 for an unknown id. */
  async setActive(
    id: string,
    active: boolean,
    tx: EntityManager,
  ): Promise<{ before: PromoCodeView; after: PromoCodeView }> {
    const current = isUuid(id) ? await this.promos.lockById(tx, id) : null;
    if (!current) throw new PromoCodeNotFoundError();
    const updated = await this.promos.setActive(tx, id, active, this.clock.now());
    return { before: toPromoCodeView(current), after: toPromoCodeView(updated) };
  }

  private parseTerms(input: {
    amount: unknown;
    maxRedemptions: number;
    expiresAt?: Date | null;
  }): bigint {
    const amount = this.amounts.parse(input.amount, 'amount');
    if (!Number.isInteger(input.maxRedemptions) || input.maxRedemptions < 1) {
      throw new InvalidCreditRequestError('max_redemptions must be a positive integer');
    }
    // A code nobody could ever redeem is a mistake (e.g. a copied example date), not a code.
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new InvalidCreditRequestError(
        `expires_at must be in the future (${input.expiresAt.toISOString()} has passed)`,
      );
    }
    return amount;
  }
}
