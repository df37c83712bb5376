import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

const EVERY_MS = 10 * 60_000;

/**
 * A tidying job every 10 minutes: deletes or expires rows that nothing honours any more. Tidying
 * only, so several instances running it at once, or a missed run, is harmless; a failed run is
 * logged and counts nothing. Each job says what it tidies (`tidy`) and how to report it (`report`).
 */
export abstract class HousekeepingJob<Result> implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;

  /** `what` names the job in its failure line; `nothing` is the result of a failed run. */
  constructor(
    private readonly what: string,
    private readonly nothing: Result,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<Result> {
    try {
      const result = await this.tidy();
      const line = this.report(result);
      if (line) this.logger.log(line);
      return result;
    } catch (error) {
      this.logger.warn(`${this.what} housekeeping failed: ${(error as Error).message}`);
      return this.nothing;
    }
  }

  protected abstract tidy(): Promise<Result>;

  /** The log line for what a run did; null when it did nothing. */
  protected abstract report(result: Result): string | null;
}
