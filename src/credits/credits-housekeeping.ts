import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CreditHoldsService } from './credit-holds.service';
import { IdempotencyService } from './idempotency/idempotency.service';

const EVERY_MS = 10 * 60_000;

/**
 * Every 10 minutes: deletes idempotency keys past IDEMPOTENCY_TTL and marks expired holds
 * `expired`. Both are tidying only: expired keys and holds already stopped mattering, so missing
 * a run (or running on several instances at once) is harmless.
 */
@Injectable()
export class CreditsHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CreditsHousekeeping.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly holds: CreditHoldsService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<{ keysPruned: number; holdsExpired: number }> {
    try {
      const keysPruned = await this.idempotency.prune();
      const holdsExpired = await this.holds.expireStale();
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
