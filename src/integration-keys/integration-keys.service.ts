import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { RateLimitedError, RateLimiterService } from '../common/rate-limit/rate-limiter.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { INTEGRATION_KEY_NAME } from '../config/variables/credits';
import { isUuid } from '../common/uuid';
import { INTEGRATION_SCOPES, IntegrationScope } from './entities/integration-key.entity';
import { IntegrationKeyRecord, IntegrationKeyRepository } from './integration-key.repository';

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
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}

/**
 * Integration keys (`X-API-Key`): created by the Admin API or from INTEGRATION_API_KEYS at
 * start-up, stored as SHA-256 only, checked on every call (no cache, so revocation is immediate).
 */
@Injectable()
export class IntegrationKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(IntegrationKeysService.name);
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly keys: IntegrationKeyRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly limiter: RateLimiterService,
  ) {}

  /**
   * An `X-API-Key` as a request presents it: failed attempts count against the client IP and a
   * valid key is rate-limited per key (INTEGRATION_RATE_LIMIT_PER_MINUTE).
   */
  async authenticateCaller(raw: string, clientIp: string): Promise<IntegrationKeyRecord> {
    const failuresKey = `integration-key-failures:${clientIp}`;
    const limit = this.config.rateLimitPerMinute;
    const blocked = await this.limiter.isExceeded(failuresKey, limit);
    if (blocked.exceeded) throw new RateLimitedError(blocked.retryAfterSeconds);
    const key = await this.authenticate(raw);
    if (!key) {
      await this.limiter.consume(failuresKey, limit, MINUTE_MS);
      throw new IntegrationKeyUnauthenticatedError('Invalid or revoked API key');
    }
    await this.limiter.hit(
      `integration-key:${key.id}`,
      this.config.credits.integrationRateLimitPerMinute,
      MINUTE_MS,
    );
    return key;
  }

  /** Stores the INTEGRATION_API_KEYS keys (all scopes). A key revoked by an admin stays revoked. */
  async onApplicationBootstrap(): Promise<void> {
    for (const { name, key } of this.config.credits.integrationKeys) {
      const created = await this.keys.insert({
        name,
        prefix: key.slice(0, 8),
        keyHash: hashIntegrationKey(key),
        scopes: [...INTEGRATION_SCOPES],
        source: 'env',
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
    const record = await this.keys.insert(
      {
        name: input.name,
        prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
        keyHash: hashIntegrationKey(key),
        scopes: [...new Set(input.scopes)] as IntegrationScope[],
        source: 'admin',
        createdBy: input.createdBy ?? null,
        at: this.clock.now(),
      },
      manager,
    );
    if (!record) throw new Error('Integration key collision'); // 2^-192: never in practice
    return { ...record, key };
  }

  list(): Promise<IntegrationKeyRecord[]> {
    return this.keys.list();
  }

  /** Revokes at once (no cache anywhere); 404 for an unknown id. Revoking twice keeps the first time. */
  async revoke(id: string, manager?: EntityManager): Promise<IntegrationKeyRecord> {
    const record = isUuid(id) ? await this.keys.revoke(id, this.clock.now(), manager) : null;
    if (!record) throw new IntegrationKeyNotFoundError(id);
    return record;
  }

  /** The active key with this secret, or null. Records `last_used_at` about once a minute. */
  async authenticate(raw: string): Promise<IntegrationKeyRecord | null> {
    if (raw.length < 16 || raw.length > 256) return null;
    const record = await this.keys.findActiveByHash(hashIntegrationKey(raw));
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
