import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import type { SessionSnapshot } from './session.repository';

// Short on purpose: revocation evicts at once, and this bounds anything an eviction missed.
const SNAPSHOT_TTL_MS = 60_000;
// A verification that read PostgreSQL just before a revocation may write its stale copy just after
// the eviction; a second eviction shortly later removes it ("delayed double delete").
const SECOND_EVICTION_DELAY_MS = 1000;

/**
 * Copies of session snapshots keyed by token hash (never the token), in Redis or memory. A miss,
 * a flushed Redis or a Redis that is down all read through to PostgreSQL.
 */
@Injectable()
export class SessionCache implements OnModuleDestroy {
  private readonly pendingEvictions = new Set<NodeJS.Timeout>();
  private lateEviction: Promise<unknown> = Promise.resolve();

  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  async get(tokenHash: string): Promise<SessionSnapshot | undefined> {
    try {
      return (await this.cache.get<SessionSnapshot>(this.key(tokenHash))) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(tokenHash: string, snapshot: SessionSnapshot): Promise<void> {
    await this.cache.set(this.key(tokenHash), snapshot, SNAPSHOT_TTL_MS).catch(() => undefined);
  }

  async evict(tokenHashes: string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
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

  private key(tokenHash: string): string {
    return `session:${tokenHash}`;
  }
}
