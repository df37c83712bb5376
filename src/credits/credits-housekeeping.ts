import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CreditCore } from './core/credit-core';

const EVERY_MS = 10 * 60_000;

/**
 * Every 10 minutes: deletes idempotency keys past IDEMPOTENCY_TTL and releases expired holds
 * (marks them `expired`, takes them out of their account's `held`). Both are tidying only: an
 * operation that meets an expired hold releases it itself, so missing a run (or running on
 * several instances at once) is harmless.
 */
@Injectable()
export class CreditsHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CreditsHousekeeping.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly core: CreditCore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<{ keysPruned: number; holdsExpired: number }> {
    try {
      const keysPruned = await this.core.pruneIdempotencyKeys();
      const holdsExpired = await this.core.expireHolds();
      if (keysPruned || holdsExpired) {
        this.logger.log(`Pruned ${keysPruned} idempotency keys, expired ${holdsExpired} holds`);
      }
      return { keysPruned, holdsExpired };
    } catch (error) {
      this.logger.warn(`Credits housekeeping failed: ${(error as Error).message}`);
      return { keysPruned: 0, holdsExpired: 0 };
    }
  }
}
