import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { RateLimitedError, RateLimiterService } from '../rate-limit/rate-limiter.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { INTEGRATION_KEY_NAME } from '../config/variables/credits';
import { isUuid } from '../common/uuid';
import { INTEGRATION_SCOPES, IntegrationScope } from './integration-scopes';
import { IntegrationKeyCache } from './integration-key-cache';
import {
  IntegrationKeyRecord,
  IntegrationKeyRepository,
  IntegrationUserScope,
} from './integration-key.repository';
import { sha256Hex } from '../auth/secrets';

export class InvalidIntegrationKeyRequestError extends DomainError {
  readonly kind = 'invalid';
}

export class IntegrationKeyUnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

export class IntegrationKeyScopeError extends DomainError {
  readonly kind = 'forbidden';
  constructor(scope: IntegrationScope) {
    super(`This API key lacks the ${scope} scope`, { requiredScope: scope });
  }
}

/** An active key already has this name: a second one would share its refunds and idempotency. */
export class IntegrationKeyNameTakenError extends DomainError {
  readonly kind = 'conflict';
  constructor(name: string) {
    super(
      `An active integration key is already named ${JSON.stringify(name)}: revoke it first, or choose another name`,
      { name },
    );
  }
}

export class IntegrationKeyNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('Integration key not found', { id });
  }
}

/** A newly created key: `key` is shown this once and never stored. */
export interface CreatedIntegrationKey extends IntegrationKeyRecord {
  key: string;
}

/** Recognisable prefix + 192 random bits (base64url). */
const KEY_PREFIX = 'sah_';
const DISPLAY_PREFIX_LENGTH = 12;
const TOUCH_EVERY_MS = 60_000;
const MINUTE_MS = 60_000;

export function hashIntegrationKey(raw: string): string {
  return sha256Hex(raw);
}

/**
 * Integration keys (`X-API-Key`): created by the Admin API or from INTEGRATION_API_KEYS at
 * start-up, stored as SHA-256 only, resolved from an in-process cache that every revocation
 * empties on every instance at once (IntegrationKeyCache).
 */
@Injectable()
export class IntegrationKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(IntegrationKeysService.name);
  private readonly lastTouched = new Map<string, number>();
  private readonly firstLookups = new Map<string, Promise<IntegrationKeyRecord>>();

  constructor(
    private readonly keys: IntegrationKeyRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly limiter: RateLimiterService,
    private readonly cache: IntegrationKeyCache,
  ) {}

  /**
   * An `X-API-Key` as a request presents it: failed attempts count against the client IP and a
   * valid key is rate-limited per key (INTEGRATION_RATE_LIMIT_PER_MINUTE).
   * A key seen lately comes from the in-process cache: then the request costs one Redis round
   * trip (the limits and the revocation generation together) and no database query.
   */
  async authenticateCaller(raw: string, clientIp: string): Promise<IntegrationKeyRecord> {
    const failures = {
      key: `integration-key-failures:${clientIp}`,
      limit: this.config.rateLimitPerMinute,
    };
    const hash = raw.length < 16 || raw.length > 256 ? null : hashIntegrationKey(raw);
    const cached = hash ? this.cache.get(hash) : undefined;
    const key = cached?.record ?? (await this.firstLookup(hash, failures));
    const generation = await this.limiter.hitUnlessBlocked(
      `integration-key:${key.id}`,
      this.config.credits.integrationRateLimitPerMinute,
      MINUTE_MS,
      failures,
      this.cache.generationKey,
    );
    if (cached && !this.cache.isCurrent(cached.generation, generation)) {
      // A key was revoked since this one was cached (or Redis cannot say): ask PostgreSQL.
      this.cache.forget();
      const current = await this.lookup(hash!);
      if (!current) return this.refuse(failures);
      this.cache.set(hash!, current, this.cache.stampOf(generation));
      return current;
    }
    return key;
  }

  /**
   * Stores the INTEGRATION_API_KEYS keys (all scopes; user scope `all` unless the entry is marked
   * `:granted`). A key revoked by an admin stays revoked.
   */
  async onApplicationBootstrap(): Promise<void> {
    for (const { name, key, userScope } of this.config.credits.integrationKeys) {
      const created = await this.keys.insert({
        name,
        prefix: key.slice(0, 8),
        keyHash: hashIntegrationKey(key),
        scopes: [...INTEGRATION_SCOPES],
        source: 'env',
        userScope,
        createdBy: null,
        at: this.clock.now(),
      });
      if (created)
        this.logger.log(`Integration key "${name}" registered from INTEGRATION_API_KEYS`);
    }
  }

  /** A new key, shown once; `manager`: the caller's transaction (the Admin API's audit row). */
  async create(
    input: {
      name: string;
      scopes: string[];
      /** Default `granted`: the key acts only for users who granted it. */
      userScope?: IntegrationUserScope;
      createdBy?: string | null;
    },
    manager?: EntityManager,
  ): Promise<CreatedIntegrationKey> {
    if (!INTEGRATION_KEY_NAME.test(input.name)) {
      throw new InvalidIntegrationKeyRequestError(
        'name must be 1 to 64 letters, digits, dots, dashes or underscores',
      );
    }
    const unknown = input.scopes.filter(
      (s) => !(INTEGRATION_SCOPES as readonly string[]).includes(s),
    );
    if (input.scopes.length === 0 || unknown.length > 0) {
      throw new InvalidIntegrationKeyRequestError(
        `scopes must be a non-empty list of ${INTEGRATION_SCOPES.join(', ')}`,
        { unknownScopes: unknown },
      );
    }
    const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
    const record = await this.keys.insertUniquelyNamed(
      {
        name: input.name,
        prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
        keyHash: hashIntegrationKey(key),
        scopes: [...new Set(input.scopes)] as IntegrationScope[],
        source: 'admin',
        userScope: input.userScope ?? 'granted',
        createdBy: input.createdBy ?? null,
        at: this.clock.now(),
      },
      manager,
    );
    if (record === 'name_taken') throw new IntegrationKeyNameTakenError(input.name);
    if (!record) throw new Error('Integration key collision'); // 2^-192: never in practice
    return { ...record, key };
  }

  list(): Promise<IntegrationKeyRecord[]> {
    return this.keys.list();
  }

  /**
   * Revokes a key; 404 for an unknown id. Revoking twice keeps the first time. Without a
   * `manager` the revocation commits here and takes effect at once on every instance; inside the
   * caller's transaction, the caller calls `announceRevocation` after its commit.
   */
  async revoke(id: string, manager?: EntityManager): Promise<IntegrationKeyRecord> {
    const record = isUuid(id) ? await this.keys.revoke(id, this.clock.now(), manager) : null;
    if (!record) throw new IntegrationKeyNotFoundError(id);
    if (!manager) await this.announceRevocation();
    return record;
  }

  /** After a revocation committed: every instance drops its cached keys at once. */
  announceRevocation(): Promise<void> {
    return this.cache.revoked();
  }

  /**
   * A key not in the cache is a guess until PostgreSQL says otherwise (S-05): one failure is
   * counted against the client IP before the lookup (429 beyond its limit, so parallel guesses
   * cannot all be looked up) and given back when the key is real. Parallel first uses of one key
   * share one lookup, so a burst of a real key's calls never fills the failure limit.
   */
  private async firstLookup(
    hash: string | null,
    failures: { key: string; limit: number },
  ): Promise<IntegrationKeyRecord> {
    const shared = hash ? this.firstLookups.get(hash) : undefined;
    if (shared) return shared;
    const lookup = (async () => {
      await this.countFailure(failures);
      const generation = hash ? await this.cache.generation() : undefined;
      let key: IntegrationKeyRecord | null;
      try {
        key = hash ? await this.lookup(hash) : null;
      } catch (error) {
        await this.limiter.giveBack(failures.key); // not a guess: e.g. the database is down
        throw error;
      }
      if (!key) throw new IntegrationKeyUnauthenticatedError('Invalid or revoked API key');
      await this.limiter.giveBack(failures.key);
      this.cache.set(hash!, key, generation!);
      return key;
    })();
    if (!hash) return lookup;
    this.firstLookups.set(hash, lookup);
    return lookup.finally(() => this.firstLookups.delete(hash));
  }

  /** A failed attempt: counted against the client IP; 429 beyond its limit, else 401. */
  private async refuse(failures: { key: string; limit: number }): Promise<never> {
    await this.countFailure(failures);
    throw new IntegrationKeyUnauthenticatedError('Invalid or revoked API key');
  }

  private async countFailure(failures: { key: string; limit: number }): Promise<void> {
    const decision = await this.limiter.consume(failures.key, failures.limit, MINUTE_MS);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }

  /** The active key with this hash, from PostgreSQL; records `last_used_at` about once a minute. */
  private async lookup(hash: string): Promise<IntegrationKeyRecord | null> {
    const record = await this.keys.findActiveByHash(hash);
    if (!record) return null;
    const now = this.clock.now();
    const last = this.lastTouched.get(record.id) ?? 0;
    if (now.getTime() - last >= TOUCH_EVERY_MS) {
      this.lastTouched.set(record.id, now.getTime());
      await this.keys.touch(record.id, now);
    }
    return record;
  }
}
