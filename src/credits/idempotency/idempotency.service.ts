import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { Clock } from '../../common/time/clock';
import { AppConfig } from '../../config/app-config';
import { IdempotencyKeyRepository } from './idempotency-key.repository';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
  ReplayedFailure,
  STATUS_BY_KIND,
  StoredFailure,
} from './idempotency.errors';

/** One idempotent request: whose key it is, the key, and what the request was. */
export interface IdempotentRequest {
  /** The caller the key belongs to, e.g. `api_key:sora2` or `admin:<id>`. */
  scope: string;
  /** The client's `Idempotency-Key`; without one the work simply runs once, in a transaction. */
  key?: string;
  /** Names the operation, so one key cannot be replayed against another route. */
  operation: string;
  /** Everything that defines the request (user, body): a different payload under the key → 422. */
  payload: unknown;
}

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
const LOCK_NOT_AVAILABLE = '55P03';

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function validateIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!KEY_FORMAT.test(key)) throw new InvalidIdempotencyKeyError();
  return key;
}

/**
 * `Idempotency-Key` with Stripe's semantics. The key is claimed by inserting its row in the same
 * transaction as the work, so the charge and the stored response commit or roll back together.
 * A copy that arrives meanwhile blocks on that uncommitted row (up to IDEMPOTENCY_WAIT, then
 * 409), and once the first commits it replays the stored status and body: never a second charge.
 * A domain failure (402, 404, 409…) is stored as the key's outcome and replayed too. The same key
 * with a different request → 422. Rows live IDEMPOTENCY_TTL (≥ 24h), then `prune` deletes them.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: IdempotencyKeyRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Runs `work` in one transaction, exactly once per (scope, key); its result must be JSON.
   * `singleStatement`: the work is one atomic SQL call, so without a key it runs on the pool with
   * no transaction of its own (two round trips fewer).
   */
  async execute<T>(
    request: IdempotentRequest,
    work: (tx: EntityManager) => Promise<T>,
    options: { singleStatement?: boolean } = {},
  ): Promise<T> {
    const key = validateIdempotencyKey(request.key);
    if (key === undefined) {
      return options.singleStatement
        ? work(this.dataSource.manager)
        : this.dataSource.transaction(work);
    }
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ operation: request.operation, payload: request.payload }))
      .digest('hex');
    const claim = { scope: request.scope, key, fingerprint };
    try {
      return await this.dataSource.transaction(async (tx) => {
        if (!(await this.claim(tx, claim))) return this.replay<T>(tx, claim);
        const result = await work(tx);
        await this.keys.complete(tx, claim.scope, key, 200, result);
        return result;
      });
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof ReplayedFailure) throw error;
      if (error instanceof IdempotencyKeyInProgressError) throw error;
      if (error instanceof IdempotencyKeyReusedError) throw error;
      // The work was refused (and rolled back): that refusal is this key's outcome.
      return this.recordFailure<T>(claim, error);
    }
  }

  /** Deletes keys past their time; returns how many. */
  prune(): Promise<number> {
    return this.keys.deleteExpired(this.clock.now());
  }

  private async claim(
    tx: EntityManager,
    claim: { scope: string; key: string; fingerprint: string },
  ): Promise<boolean> {
    const now = this.clock.now();
    await this.keys.setLockTimeout(tx, this.config.credits.idempotencyWaitMs);
    let claimed: boolean;
    try {
      claimed = await this.keys.claim(tx, {
        ...claim,
        now,
        expiresAt: new Date(now.getTime() + this.config.credits.idempotencyTtlMs),
      });
    } catch (error) {
      const code = (error as QueryFailedError & { driverError?: { code?: string } }).driverError
        ?.code;
      if (error instanceof QueryFailedError && code === LOCK_NOT_AVAILABLE) {
        throw new IdempotencyKeyInProgressError();
      }
      throw error;
    }
    // Only the wait for a copy is bounded; later locks (the account row) wait as usual.
    await this.keys.setLockTimeout(tx, 'default');
    return claimed;
  }

  private async replay<T>(
    tx: EntityManager,
    claim: { scope: string; key: string; fingerprint: string },
  ): Promise<T> {
    const stored = await this.keys.find(tx, claim.scope, claim.key);
    // Claimed by nobody yet visible (its first user rolled back after we looked): ask for a retry.
    if (!stored || stored.statusCode === null) throw new IdempotencyKeyInProgressError();
    if (stored.fingerprint !== claim.fingerprint) throw new IdempotencyKeyReusedError();
    if (stored.statusCode >= 400) {
      throw new ReplayedFailure(stored.statusCode, stored.response as StoredFailure);
    }
    return stored.response as T;
  }

  private async recordFailure<T>(
    claim: { scope: string; key: string; fingerprint: string },
    error: DomainError,
  ): Promise<T> {
    const stored: StoredFailure = { message: error.message, details: error.details };
    if (error.errorLabel) stored.label = error.errorLabel;
    const replayed = await this.dataSource.transaction(async (tx) => {
      // A copy ran meanwhile and its outcome is the key's: answer with it, whatever it was.
      if (!(await this.claim(tx, claim))) return { value: await this.replay<T>(tx, claim) };
      await this.keys.complete(tx, claim.scope, claim.key, STATUS_BY_KIND[error.kind], stored);
      return null;
    });
    if (replayed) return replayed.value;
    throw error;
  }
}
