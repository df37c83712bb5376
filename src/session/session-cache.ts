import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { CacheStore } from '../cache/cache.module';
import type { SessionSnapshot } from './session.repository';

// Short on purpose: revocation evicts at once, and this bounds anything an eviction missed.
const SNAPSHOT_TTL_MS = 60_000;
// A verification that read PostgreSQL just before a revocation may write its stale copy just after
// the eviction; a second eviction shortly later removes it ("delayed double delete").
const SECOND_EVICTION_DELAY_MS = 1000;
// How long this process remembers a revocation it made: longer than any copy written before it
// can live in the cache.
const REMEMBER_REVOCATION_MS = 2 * SNAPSHOT_TTL_MS;

/** What the cache holds: the snapshot and when it was read from PostgreSQL (wall-clock ms). */
interface CachedSnapshot {
  snapshot: SessionSnapshot;
  readAt: number;
}

/**
 * Copies of session snapshots keyed by token hash (never the token), in Redis or memory. A miss,
 * a flushed Redis or a Redis that is down all read through to PostgreSQL.
 *
 * A revocation is never undone by the cache, even when its eviction could not reach Redis and
 * Redis comes back with its data (persistence, a healed partition):
 * - a copy read from PostgreSQL before this process's cache connection last became healthy is
 *   not trusted (it may predate a revocation whose eviction failed, here or on another instance
 *   that saw the same outage): it is read again;
 * - this process remembers what it revoked lately, never serves those from the cache, and
 *   evicts them again every time the connection comes back (missed evictions are replayed).
 */
@Injectable()
export class SessionCache implements OnModuleDestroy {
  private readonly pendingEvictions = new Set<NodeJS.Timeout>();
  private lateEviction: Promise<unknown> = Promise.resolve();
  /** token hash → until when (ms) this process remembers having revoked it. */
  private readonly revoked = new Map<string, number>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly store: CacheStore,
  ) {
    store.guard?.onRecovered(() => this.replayEvictions());
  }

  /** The cached snapshot, or `load()`'s (then cached); null when `load` finds none. */
  async readThrough(
    tokenHash: string,
    load: () => Promise<SessionSnapshot | null>,
  ): Promise<SessionSnapshot | null> {
    const cached = await this.get(tokenHash);
    if (cached) return cached;
    const readAt = Date.now();
    const snapshot = await load();
    if (snapshot) await this.set(tokenHash, snapshot, readAt);
    return snapshot;
  }

  /** Caches `snapshot` as read from PostgreSQL at `readAt` (wall-clock ms). */
  async set(tokenHash: string, snapshot: SessionSnapshot, readAt: number): Promise<void> {
    const entry: CachedSnapshot = { snapshot, readAt };
    await this.cache.set(this.key(tokenHash), entry, SNAPSHOT_TTL_MS).catch(() => undefined);
  }

  async evict(tokenHashes: string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
    const until = Date.now() + REMEMBER_REVOCATION_MS;
    for (const hash of tokenHashes) this.revoked.set(hash, until);
    const keys = tokenHashes.map((h) => this.key(h));
    await this.cache.mdel(keys).catch(() => undefined);
    const timer = setTimeout(() => {
      this.pendingEvictions.delete(timer);
      this.lateEviction = this.cache.mdel(keys).catch(() => undefined);
    }, SECOND_EVICTION_DELAY_MS).unref();
    this.pendingEvictions.add(timer);
  }

  /**
   * Before the cache's client closes (at application shutdown): a late eviction running after
   * that would reconnect it and keep the process alive.
   */
  async onModuleDestroy(): Promise<void> {
    for (const timer of this.pendingEvictions) clearTimeout(timer);
    this.pendingEvictions.clear();
    await this.lateEviction;
  }

  private async get(tokenHash: string): Promise<SessionSnapshot | undefined> {
    if (this.remembersRevoking(tokenHash)) return undefined;
    const entry = await this.cache.get<CachedSnapshot>(this.key(tokenHash)).catch(() => undefined);
    if (!entry?.snapshot || !(entry.readAt >= (this.store.guard?.healthySince ?? 0))) {
      return undefined;
    }
    return entry.snapshot;
  }

  private remembersRevoking(tokenHash: string): boolean {
    const until = this.revoked.get(tokenHash);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.revoked.delete(tokenHash);
    return false;
  }

  /** The cache answers again: evict once more everything revoked lately (it may have missed). */
  private replayEvictions(): void {
    const now = Date.now();
    for (const [hash, until] of this.revoked) if (until <= now) this.revoked.delete(hash);
    if (this.revoked.size === 0) return;
    const keys = [...this.revoked.keys()].map((h) => this.key(h));
    this.lateEviction = this.cache.mdel(keys).catch(() => undefined);
  }

  private key(tokenHash: string): string {
    return `session:${tokenHash}`;
  }
}
