import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisConnection } from '../cache/redis-connection';
import { DomainError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';

  constructor(retryAfterSeconds: number, message = 'Too many requests, try again later') {
    super(message, { retryAfterSeconds });
  }
}

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

// INCR and set the window's expiry on the first hit, atomically; returns [count, ms left].
const CONSUME_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

// DECR only a window that still exists: a hit given back after its window ended changes nothing.
const GIVE_BACK_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0`;

// Refuses while KEYS[2] (a failure counter) has reached ARGV[2]: {-1, its ms left}; otherwise
// counts ARGV[3] hits on KEYS[1] as CONSUME_SCRIPT counts one: {count after them, ms left}.
// Either way also answers the value of KEYS[3] (e.g. a revocation generation). One round trip
// for all of it, whatever the number of hits.
const HIT_UNLESS_BLOCKED_SCRIPT = `
local value = redis.call('GET', KEYS[3]) or ''
local failures = tonumber(redis.call('GET', KEYS[2]) or '0')
if failures >= tonumber(ARGV[2]) then return {-1, redis.call('PTTL', KEYS[2]), value} end
local hits = tonumber(ARGV[3])
local count = redis.call('INCRBY', KEYS[1], hits)
if count == hits then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl, value}`;

// Exponential back-off: refused while ARGV[1] (now, ms) < `until`; else counts one attempt and,
// from the ARGV[2]-th on, closes the key for min(ARGV[4], ARGV[3] · 2^(n − ARGV[2])) ms.
// Answers {allowed 1|0, ms left when refused, `until` before, `until` after}.
const TAKE_BACKOFF_SCRIPT = `
local now = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'n', 'until')
local n = tonumber(state[1] or '0')
local before = tonumber(state[2] or '0')
if now < before then return {0, before - now, before, before} end
n = n + 1
local after = before
local free = tonumber(ARGV[2])
if n >= free then
  after = now + math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(n - free, 40))
end
redis.call('HSET', KEYS[1], 'n', n, 'until', after)
redis.call('PEXPIRE', KEYS[1], math.max(after - now, 0) + tonumber(ARGV[5]))
return {1, 0, before, after}`;

// Undoes one TAKE_BACKOFF_SCRIPT: one attempt less and, unless a later attempt moved it, the
// earlier `until` (ARGV[2] was set by the attempt given back, ARGV[1] was there before it).
const GIVE_BACK_BACKOFF_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HSET', KEYS[1], 'n', n - 1) end
if tonumber(redis.call('HGET', KEYS[1], 'until') or '0') == tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], 'until', ARGV[1]) end
return 1`;

/** The script above, sent by its SHA1 (EVALSHA; ioredis loads it on a NOSCRIPT answer). */
const HIT_UNLESS_BLOCKED = 'hubHitUnlessBlocked';
type HitAnswer = [count: number, msLeft: number, value: string];
type WithHitCommand = Redis & {
  [HIT_UNLESS_BLOCKED](
    key: string,
    blocker: string,
    read: string,
    windowMs: number,
    blockerLimit: number,
    hits: number,
  ): Promise<HitAnswer>;
};

/**
 * Hits on one counter waiting for the call in flight for that counter: the next call counts
 * them all (in arrival order), so a burst on one integration key costs a few Redis round trips,
 * not one per request, with the same answers as one call each.
 */
interface HitQueue {
  inFlight: boolean;
  waiting: ((answer: HitAnswer | null) => void)[];
}

const MEMORY_PRUNE_THRESHOLD = 10_000;

/** Exponential back-off: `free` attempts, then `baseMs` doubling per further attempt up to `maxMs`. */
export interface BackoffPolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  /** How long a key is remembered after its last block ends. */
  forgetAfterMs: number;
}

/** One attempt `takeBackoff` let through; `giveBackBackoff` undoes it. */
export interface BackoffTicket {
  key: string;
  before: number;
  after: number;
}

/**
 * Fixed-window counters for guessable endpoints (logins, codes, session verification), keyed by
 * whatever the caller chooses (IP, email, API key). Redis when configured and reachable, so limits
 * hold across instances; process memory otherwise (or while Redis is away).
 */
@Injectable()
export class RateLimiterService {
  private readonly memory = new Map<string, { count: number; resetAt: number }>();
  private readonly backoffs = new Map<string, { n: number; until: number; forgetAt: number }>();
  private readonly hitQueues = new Map<string, HitQueue>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {
    // Its calls are already one in flight per counter (HitQueue).
    redis.defineUnpipelinedCommand(HIT_UNLESS_BLOCKED, {
      numberOfKeys: 3,
      lua: HIT_UNLESS_BLOCKED_SCRIPT,
    });
  }

  /** Counts one hit on `key` and says whether it was within `limit` for the current window. */
  async consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const { count, msLeft } = await this.increment(key, windowMs);
    return {
      allowed: count <= limit,
      remaining: Math.max(0, limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
    };
  }

  /** Counts one hit; throws `RateLimitedError` (429 with Retry-After) beyond `limit`. */
  async hit(key: string, limit: number, windowMs: number): Promise<void> {
    const decision = await this.consume(key, limit, windowMs);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }

  /** Whether `key` has already used up `limit` in its current window, without counting a hit. */
  async isExceeded(
    key: string,
    limit: number,
  ): Promise<{ exceeded: boolean; retryAfterSeconds: number }> {
    const { count, msLeft } = await this.read(key);
    return { exceeded: count >= limit, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
  }

  /**
   * Takes back one hit `consume` counted, for an attempt that turned out not to count (e.g. a
   * success): counting every attempt first and giving successes back is what keeps parallel
   * attempts from all passing a check made before any of them was counted.
   */
  async giveBack(key: string): Promise<void> {
    if (this.redisUsable()) {
      try {
        await this.redis.run((c) => c.eval(GIVE_BACK_SCRIPT, 1, this.redisKey(key)));
        return;
      } catch {
        // Redis dropped mid-call: the hit was probably counted in memory.
      }
    }
    const entry = this.memory.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }

  /**
   * `hit(key, limit, windowMs)`, but refused without counting while `blocker` has already used up
   * its limit (e.g. a client IP's failed attempts), and reading the Redis key `read` (a full key
   * name) on the way: all in one Redis round trip, which concurrent hits on the same counter
   * share (see HitQueue). Answers what `read` held ('' when unset), or null when Redis was not
   * usable and the limits were decided in memory.
   */
  async hitUnlessBlocked(
    key: string,
    limit: number,
    windowMs: number,
    blocker: { key: string; limit: number },
    read: string,
  ): Promise<string | null> {
    if (this.redisUsable()) {
      const answer = await this.countHit(key, windowMs, blocker, read);
      if (answer) {
        const [count, msLeft, value] = answer;
        if (count === -1 || count > limit) {
          throw new RateLimitedError(Math.max(1, Math.ceil(msLeft / 1000)));
        }
        return value;
      }
    }
    const blocked = await this.isExceeded(blocker.key, blocker.limit);
    if (blocked.exceeded) throw new RateLimitedError(blocked.retryAfterSeconds);
    await this.hit(key, limit, windowMs);
    return null;
  }

  /**
   * Counts one attempt on `key` under an exponential back-off, atomically (check and count in one
   * step, so parallel attempts cannot all pass a check made before any was counted); throws
   * `RateLimitedError` while the key is closed. Forget the key (`reset`) after a success, or
   * `giveBackBackoff` the ticket when the attempt failed for a reason that was not a guess.
   */
  async takeBackoff(key: string, policy: BackoffPolicy, message?: string): Promise<BackoffTicket> {
    const now = this.clock.now().getTime();
    let answer: [number, number, number, number] | undefined;
    if (this.redisUsable()) {
      try {
        answer = (await this.redis.run((c) =>
          c.eval(
            TAKE_BACKOFF_SCRIPT,
            1,
            this.redisKey(key),
            now,
            policy.free,
            policy.baseMs,
            policy.maxMs,
            policy.forgetAfterMs,
          ),
        )) as [number, number, number, number];
      } catch {
        // Redis dropped mid-call: decide in memory rather than failing the request.
      }
    }
    const [allowed, msLeft, before, after] = answer ?? this.takeBackoffInMemory(key, policy, now);
    if (!allowed) throw new RateLimitedError(Math.max(1, Math.ceil(msLeft / 1000)), message);
    return { key, before, after };
  }

  async giveBackBackoff(ticket: BackoffTicket): Promise<void> {
    if (this.redisUsable()) {
      try {
        await this.redis.run((c) =>
          c.eval(
            GIVE_BACK_BACKOFF_SCRIPT,
            1,
            this.redisKey(ticket.key),
            ticket.before,
            ticket.after,
          ),
        );
        return;
      } catch {
        // Redis dropped mid-call: the attempt was probably counted in memory.
      }
    }
    const entry = this.backoffs.get(ticket.key);
    if (!entry) return;
    entry.n = Math.max(0, entry.n - 1);
    if (entry.until === ticket.after) entry.until = ticket.before;
  }

  private takeBackoffInMemory(
    key: string,
    policy: BackoffPolicy,
    now: number,
  ): [number, number, number, number] {
    if (this.backoffs.size > MEMORY_PRUNE_THRESHOLD) {
      for (const [k, entry] of this.backoffs) if (entry.forgetAt <= now) this.backoffs.delete(k);
    }
    let entry = this.backoffs.get(key);
    if (!entry || entry.forgetAt <= now) {
      entry = { n: 0, until: 0, forgetAt: 0 };
      this.backoffs.set(key, entry);
    }
    const before = entry.until;
    if (now < before) return [0, before - now, before, before];
    entry.n += 1;
    if (entry.n >= policy.free) {
      const exponent = Math.min(entry.n - policy.free, 40);
      entry.until = now + Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
    }
    entry.forgetAt = Math.max(entry.until, now) + policy.forgetAfterMs;
    return [1, 0, before, entry.until];
  }

  /**
   * One hit through the counter's queue: sent at once when no call for this counter is in
   * flight, else with every hit that arrived meanwhile in the next call (so each is counted by a
   * call sent after it arrived, and reads `read` as of then). Null when Redis failed the call.
   */
  private countHit(
    key: string,
    windowMs: number,
    blocker: { key: string; limit: number },
    read: string,
  ): Promise<HitAnswer | null> {
    const id = JSON.stringify([key, windowMs, blocker.key, blocker.limit, read]);
    let queue = this.hitQueues.get(id);
    if (!queue) {
      queue = { inFlight: false, waiting: [] };
      this.hitQueues.set(id, queue);
    }
    const answer = new Promise<HitAnswer | null>((resolve) => queue.waiting.push(resolve));
    if (!queue.inFlight) this.sendHits(id, queue, key, windowMs, blocker, read);
    return answer;
  }

  private sendHits(
    id: string,
    queue: HitQueue,
    key: string,
    windowMs: number,
    blocker: { key: string; limit: number },
    read: string,
  ): void {
    const batch = queue.waiting.splice(0);
    queue.inFlight = true;
    this.redis
      .run((client) =>
        (client as WithHitCommand)[HIT_UNLESS_BLOCKED](
          this.redisKey(key),
          this.redisKey(blocker.key),
          read,
          windowMs,
          blocker.limit,
          batch.length,
        ),
      )
      .then(
        ([count, msLeft, value]) =>
          // The i-th hit of the call is the one that took the counter to count - n + i + 1.
          batch.forEach((resolve, i) =>
            resolve([count === -1 ? -1 : count - batch.length + i + 1, msLeft, value]),
          ),
        // Redis dropped or timed out mid-call: these hits are decided in memory.
        () => batch.forEach((resolve) => resolve(null)),
      )
      .finally(() => {
        if (queue.waiting.length > 0) {
          this.sendHits(id, queue, key, windowMs, blocker, read);
        } else {
          queue.inFlight = false;
          this.hitQueues.delete(id);
        }
      });
  }

  async reset(key: string): Promise<void> {
    this.memory.delete(key);
    this.backoffs.delete(key);
    if (this.redisUsable()) {
      await this.redis.run((c) => c.del(this.redisKey(key))).catch(() => undefined);
    }
  }

  private redisUsable(): boolean {
    return this.redis.ready;
  }

  private redisKey(key: string): string {
    return `${this.redis.keyPrefix}limit:${key}`;
  }

  private async increment(
    key: string,
    windowMs: number,
  ): Promise<{ count: number; msLeft: number }> {
    if (this.redisUsable()) {
      try {
        const [count, msLeft] = (await this.redis.run((c) =>
          c.eval(CONSUME_SCRIPT, 1, this.redisKey(key), windowMs),
        )) as [number, number];
        return { count, msLeft };
      } catch {
        // Redis dropped mid-call: count in memory rather than failing the request.
      }
    }
    return this.incrementInMemory(key, windowMs);
  }

  private async read(key: string): Promise<{ count: number; msLeft: number }> {
    if (this.redisUsable()) {
      try {
        const redisKey = this.redisKey(key);
        const [count, msLeft] = await this.redis.run((c) =>
          Promise.all([c.get(redisKey), c.pttl(redisKey)]),
        );
        return { count: Number(count ?? 0), msLeft: Math.max(0, msLeft) };
      } catch {
        // Fall through to the in-memory view.
      }
    }
    const entry = this.memory.get(key);
    const now = this.clock.now().getTime();
    return entry && entry.resetAt > now
      ? { count: entry.count, msLeft: entry.resetAt - now }
      : { count: 0, msLeft: 0 };
  }

  private incrementInMemory(key: string, windowMs: number): { count: number; msLeft: number } {
    const now = this.clock.now().getTime();
    if (this.memory.size > MEMORY_PRUNE_THRESHOLD) {
      for (const [k, entry] of this.memory) if (entry.resetAt <= now) this.memory.delete(k);
    }
    let entry = this.memory.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      this.memory.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, msLeft: entry.resetAt - now };
  }
}
