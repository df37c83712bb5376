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

/**
 * Per-user running-stream slots (MCP_MAX_CONCURRENT_STREAMS). With Redis the count holds across
 * instances: a sorted set per user whose members lapse at their deadline, so a crashed instance
 * frees its slots by itself. Process memory without Redis (or while it is away).
 */
@Injectable()
export class StreamSlots {
  private readonly logger = new Logger(StreamSlots.name);
  private readonly memory = new Map<string, Map<string, number>>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {}

  async acquire(userId: string, slotId: string, limit: number, ttlMs: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (this.redis.ready) {
      try {
        const result = await this.redis.run((c) =>
          c.eval(ACQUIRE_SCRIPT, 1, this.key(userId), now, now + ttlMs, slotId, limit),
        );
        return result === 1;
      } catch (error) {
        this.logger.warn(`Stream slots in memory while Redis fails: ${(error as Error).message}`);
      }
    }
    const slots = this.memory.get(userId) ?? new Map<string, number>();
    for (const [id, deadline] of slots) if (deadline <= now) slots.delete(id);
    if (slots.size >= limit) return false;
    slots.set(slotId, now + ttlMs);
    this.memory.set(userId, slots);
    return true;
  }

  async release(userId: string, slotId: string): Promise<void> {
    const slots = this.memory.get(userId);
    if (slots?.delete(slotId) && slots.size === 0) this.memory.delete(userId);
    if (this.redis.ready) {
      await this.redis.run((c) => c.zrem(this.key(userId), slotId)).catch(() => undefined);
    }
  }

  private key(userId: string): string {
    return `${this.redis.keyPrefix}mcp:streams:${userId}`;
  }
}
