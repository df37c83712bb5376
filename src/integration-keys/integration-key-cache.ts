import { Injectable, Logger } from '@nestjs/common';
import { RedisConnection } from '../cache/redis-connection';
import { Clock } from '../common/time/clock';
import type { IntegrationKeyRecord } from './integration-key.repository';

/** A bound on staleness should a revocation's generation bump ever be lost. */
const ENTRY_TTL_MS = 10_000;

/**
 * Active integration keys by SHA-256, in process memory, so a credit call resolves its caller
 * without a database round trip. Revocation takes effect on every instance at once through a
 * generation counter in Redis (`<prefix>integration-keys:generation`): a revocation bumps it
 * after its commit, and every request reads it in the same Redis round trip as its rate limit
 * (`RateLimiterService.hitUnlessBlocked`); an entry stamped with another generation is not used:
 * the key is read from PostgreSQL again. A revoked key never works because of this cache:
 * - while Redis is unusable (down, or the breaker open after a timeout) the generation is
 *   unknown, so every call reads PostgreSQL; losing the Redis connection and Redis answering
 *   again both empty the cache (a bump missed during an outage cannot matter);
 * - a stamp is the generation read BEFORE the database lookup, so a revocation committed
 *   meanwhile makes it stale;
 * - an entry lives ENTRY_TTL_MS at most (should a bump be lost, e.g. the revoking instance cut
 *   off from Redis while others are not); a failed bump is retried when Redis is back.
 * Without REDIS_URL there is one instance, and its own emptying is enough.
 */
@Injectable()
export class IntegrationKeyCache {
  private readonly logger = new Logger(IntegrationKeyCache.name);
  private readonly entries = new Map<
    string,
    { record: IntegrationKeyRecord; generation: string; at: number }
  >();
  /** Moves whenever this instance empties its cache: stamps from before are stale. */
  private epoch = 0;
  private bumpPending = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {
    redis.client?.on('close', () => this.forget());
    // Redis answers again (reconnected, or a probe after a freeze): a bump another instance
    // could not send meanwhile may still be on its way, so entries from before are dropped, and
    // a bump of ours that failed is sent now.
    redis.onRecovered(() => {
      this.forget();
      if (this.bumpPending) void this.bump();
    });
  }

  /** The full Redis key of the generation counter (read by the rate limit script). */
  get generationKey(): string {
    return `${this.redis.keyPrefix}integration-keys:generation`;
  }

  /** The generation now, before a database lookup; null when it cannot be known. */
  async generation(): Promise<string | null> {
    if (!this.redis.configured) return this.stamp('');
    if (!this.redis.ready) return null;
    try {
      return this.stamp((await this.redis.run((c) => c.get(this.generationKey))) ?? '');
    } catch {
      return null;
    }
  }

  /** The cached key of this hash (cached within ENTRY_TTL_MS) and its generation stamp. */
  get(keyHash: string): { record: IntegrationKeyRecord; generation: string } | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (this.clock.now().getTime() - entry.at >= ENTRY_TTL_MS) {
      this.entries.delete(keyHash);
      return undefined;
    }
    return entry;
  }

  /** Caches what a lookup found, stamped with the generation read before it (null: do not). */
  set(keyHash: string, record: IntegrationKeyRecord, generation: string | null): void {
    if (generation === null) return;
    this.entries.set(keyHash, { record, generation, at: this.clock.now().getTime() });
  }

  /**
   * Whether an entry's stamp still holds, given the counter's value a request just read from
   * Redis (null: Redis could not be asked).
   */
  isCurrent(stamp: string, read: string | null): boolean {
    if (!this.redis.configured) return stamp === this.stamp('');
    return read !== null && stamp === this.stamp(read);
  }

  /** The stamp for a counter value read from Redis now. */
  stampOf(read: string | null): string | null {
    if (!this.redis.configured) return this.stamp('');
    return read === null ? null : this.stamp(read);
  }

  forget(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  /**
   * After a revocation committed: every instance's entries become stale at once (the Redis
   * generation moves). If Redis cannot be told now, it is told when it is back, and meanwhile
   * other instances' entries lapse within ENTRY_TTL_MS.
   */
  async revoked(): Promise<void> {
    this.forget();
    if (this.redis.configured) await this.bump();
  }

  private async bump(): Promise<void> {
    this.bumpPending = true;
    try {
      await this.redis.run((c) => c.incr(this.generationKey));
      this.bumpPending = false;
    } catch (error) {
      this.logger.warn(`Could not announce a key revocation yet: ${(error as Error).message}`);
    }
  }

  private stamp(read: string): string {
    return `${this.epoch}:${read}`;
  }
}
