import { Logger } from '@nestjs/common';

/** Thrown instead of waiting on a Redis that does not answer in time. */
export class RedisUnavailableError extends Error {}

/** What the breaker did since start (exported as Prometheus counters, read by the fault suite). */
export interface RedisGuardStats {
  /** Calls sent to Redis (the breaker was closed). */
  sent: number;
  /** Sent calls that answered (or failed) within the deadline. */
  answered: number;
  /** Sent calls that outlived REDIS_COMMAND_TIMEOUT (the first one of an outage trips the breaker). */
  timedOut: number;
  /** Calls refused at once, without touching Redis, because the breaker was open. */
  refused: number;
  /** Times the breaker opened after a timeout. */
  trips: number;
  /** Probes sent while open (one at a time), and those that did not answer in time. */
  probes: number;
  probesFailed: number;
}

/**
 * The circuit breaker of ONE Redis server, shared by every Redis user of the process (the cache's
 * client, the shared ioredis connection: rate limits, key revocations, readiness):
 * a deadline on every call and, once one call times out, every other call of every user fails at
 * once (callers fall back as when Redis is down) until a probe answers again. A frozen Redis
 * (SIGSTOP, a partition) keeps its TCP connections open, so without this every call would wait
 * for it; with one breaker per client a request using two clients paid two deadlines.
 */
export class RedisGuard {
  private readonly logger: Logger;
  private open = false;
  /** Set at shutdown: the clients are closing, and a call would reconnect one of them. */
  private stopped = false;
  private probing?: NodeJS.Timeout;
  private readonly recoveredListeners = new Set<() => void>();
  readonly stats: RedisGuardStats = {
    sent: 0,
    answered: 0,
    timedOut: 0,
    refused: 0,
    trips: 0,
    probes: 0,
    probesFailed: 0,
  };
  /**
   * Wall-clock ms since which the connections have been connected and answering (moved forward
   * by every recovery of any of them). Whatever was written to the cache before it may predate a
   * revocation this process could not evict.
   */
  healthySince = Date.now();

  constructor(
    name: string,
    private readonly timeoutMs: number,
    private readonly probe: () => Promise<unknown>,
  ) {
    this.logger = new Logger(name);
  }

  get healthy(): boolean {
    return !this.open;
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.stopped) {
      this.stats.refused += 1;
      throw new RedisUnavailableError('Redis connections are closed');
    }
    if (this.open) {
      this.stats.refused += 1;
      throw new RedisUnavailableError('Redis is not answering');
    }
    this.stats.sent += 1;
    let timedOut = false;
    try {
      return await this.withDeadline(call(), () => {
        timedOut = true;
        this.stats.timedOut += 1;
        this.trip('did not answer within');
      });
    } finally {
      if (!timedOut) this.stats.answered += 1;
    }
  }

  /**
   * A connection was lost (closed socket, error): calls fail fast until it is ready again or a
   * probe answers.
   */
  lost(): void {
    this.trip();
  }

  /** A connection is (again) ready: trust it from now on and tell the listeners. */
  recovered(): void {
    if (this.stopped) return;
    const wasOpen = this.open;
    this.open = false;
    this.healthySince = Date.now();
    if (this.probing) clearInterval(this.probing);
    this.probing = undefined;
    if (wasOpen) this.logger.log('Redis answers again');
    for (const listener of this.recoveredListeners) listener();
  }

  onRecovered(listener: () => void): void {
    this.recoveredListeners.add(listener);
  }

  /** Opens the breaker (once) and probes until Redis answers; `why` set: a call timed out. */
  private trip(why?: string): void {
    if (this.open || this.stopped) return;
    this.open = true;
    if (why) {
      this.stats.trips += 1;
      this.logger.warn(`Redis ${why} ${this.timeoutMs} ms: falling back until it answers`);
    }
    // One probe at a time, each with the same deadline (a frozen Redis never answers it).
    let inFlight = false;
    this.probing = setInterval(
      () => {
        if (inFlight) return;
        inFlight = true;
        this.stats.probes += 1;
        this.withDeadline(this.probe())
          .then(
            () => this.open && this.recovered(),
            () => (this.stats.probesFailed += 1),
          )
          .finally(() => (inFlight = false));
      },
      Math.max(this.timeoutMs, 100),
    ).unref();
  }

  private async withDeadline<T>(call: Promise<T>, onTimeout?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout?.();
        reject(new RedisUnavailableError(`Redis did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([call, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * At shutdown, before the clients close: from now on every call is refused and no recovery is
   * announced. A late call (a listener replaying evictions after a reconnect, say) would otherwise
   * open a closed client again, and its connection would keep the process alive.
   */
  stop(): void {
    this.stopped = true;
    if (this.probing) clearInterval(this.probing);
    this.probing = undefined;
  }
}
