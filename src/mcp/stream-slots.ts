import { Injectable, Logger } from '@nestjs/common';
import { RedisConnection } from '../cache/redis-connection';
import { Clock } from '../common/time/clock';

// Drop lapsed slots, refuse at the limit, else add this one: one atomic step per acquire.
const ACQUIRE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1`;

/** A slot kept in process memory; `inRedis` when an acquire that timed out may have added it there. */
interface MemorySlot {
  deadline: number;
  inRedis: boolean;
}

/**
 * Per-user running-stream slots (MCP_MAX_CONCURRENT_STREAMS). With Redis the count holds across
 * instances: a sorted set per user whose members lapse at their deadline, so a crashed instance
 * frees its slots by itself. Process memory without Redis (or while it is away).
 *
 * A release never leaves a slot taken in Redis (the user would be refused until MCP_HOLD_TTL):
 * a release Redis did not take (away, frozen, too slow) is kept and sent again as soon as Redis
 * answers, and a slot whose acquire timed out is released in Redis too, where it may have landed.
 */
@Injectable()
export class StreamSlots {
  private readonly logger = new Logger(StreamSlots.name);
  private readonly memory = new Map<string, Map<string, MemorySlot>>();
  /** Releases Redis missed: user id → slot ids still taken there. */
  private readonly missedReleases = new Map<string, Set<string>>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {
    redis.onRecovered(() => void this.replayMissedReleases());
  }

  async acquire(userId: string, slotId: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    let inRedis = false;
    if (this.redis.ready) {
      try {
        const result = await this.redis.run((c) =>
          c.eval(ACQUIRE_SCRIPT, 1, this.key(userId), now, now + ttlMs, slotId, limit),
        );
        return result === 1;
      } catch (error) {
        inRedis = true;
        this.logger.warn(`Stream slots in memory while Redis fails: ${(error as Error).message}`);
      }
    }
    const slots = this.memory.get(userId) ?? new Map<string, MemorySlot>();
    for (const [id, slot] of slots) if (slot.deadline <= now) slots.delete(id);
    if (slots.size >= limit) {
      if (inRedis) await this.releaseInRedis(userId, [slotId]);
      return false;
    }
    slots.set(slotId, { deadline: now + ttlMs, inRedis });
    this.memory.set(userId, slots);
    return true;
  }

  async release(userId: string, slotId: string): Promise<void> {
    const slots = this.memory.get(userId);
    const inMemory = slots?.get(slotId);
    if (inMemory) {
      slots!.delete(slotId);
      if (slots!.size === 0) this.memory.delete(userId);
    }
    if (!inMemory || inMemory.inRedis) await this.releaseInRedis(userId, [slotId]);
  }

  private async releaseInRedis(userId: string, slotIds: string[]): Promise<void> {
    if (!this.redis.configured) return;
    try {
      await this.redis.run((c) => c.zrem(this.key(userId), ...slotIds));
    } catch {
      const missed = this.missedReleases.get(userId) ?? new Set<string>();
      for (const slotId of slotIds) missed.add(slotId);
      this.missedReleases.set(userId, missed);
    }
  }

  private async replayMissedReleases(): Promise<void> {
    const missed = [...this.missedReleases];
    this.missedReleases.clear();
    if (missed.length > 0) {
      this.logger.log(`Releasing ${missed.length} users' stream slots Redis missed`);
    }
    await Promise.all(missed.map(([userId, slotIds]) => this.releaseInRedis(userId, [...slotIds])));
  }

  private key(userId: string): string {
    return `${this.redis.keyPrefix}mcp:streams:${userId}`;
  }
}
