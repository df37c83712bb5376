import { Logger } from '@nestjs/common';

/** Thrown instead of waiting on a Redis that does not answer in time. */
export class RedisUnavailableError extends Error {}

/**
 * A deadline on every Redis call, plus a breaker: after one call times out, calls fail at once
 * (callers fall back as when Redis is down) until a probe answers again. A frozen Redis (SIGSTOP,
 * a partition) keeps its TCP connection open, so without this every call would wait for it.
 */
export class RedisGuard {
  private readonly logger: Logger;
  private open = false;
  private probing?: NodeJS.Timeout;
  private readonly recoveredListeners = new Set<() => void>();
  /**
   * Wall-clock ms since which this client has been connected and answering. Whatever was
   * written to the cache before it may predate a revocation this process could not evict.
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
    if (this.open) throw new RedisUnavailableError('Redis is not answering');
    return this.withDeadline(call(), () => this.trip());
  }

  /** The connection was lost (closed socket, error): calls fail fast until it is back. */
  lost(): void {
    this.open = true;
  }

  /** The connection is (again) ready: trust it from now on and tell the listeners. */
  recovered(): void {
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

  private trip(): void {
    if (this.open) return;
    this.open = true;
    this.logger.warn(
      `Redis did not answer within ${this.timeoutMs} ms: falling back until it does`,
    );
    // One probe at a time, each with the same deadline (a frozen Redis never answers it).
    let inFlight = false;
    this.probing = setInterval(
      () => {
        if (inFlight) return;
        inFlight = true;
        this.withDeadline(this.probe())
          .then(
            () => this.open && this.recovered(),
            () => undefined,
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

  stop(): void {
    if (this.probing) clearInterval(this.probing);
  }
}
