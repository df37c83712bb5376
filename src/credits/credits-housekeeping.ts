import { Injectable } from '@nestjs/common';
import { HousekeepingJob } from '../common/time/housekeeping-job';
import { CreditCore } from './core/credit-core';

interface Tidied {
  keysPruned: number;
  holdsExpired: number;
}

/**
 * Deletes idempotency keys past IDEMPOTENCY_TTL and releases expired holds (marks them `expired`,
 * takes them out of their account's `held`). An operation that meets an expired hold releases it
 * itself, so this only tidies.
 */
@Injectable()
export class CreditsHousekeeping extends HousekeepingJob<Tidied> {
  constructor(private readonly core: CreditCore) {
    super('Credits', { keysPruned: 0, holdsExpired: 0 });
  }

  protected async tidy(): Promise<Tidied> {
    const keysPruned = await this.core.pruneIdempotencyKeys();
    const holdsExpired = await this.core.expireHolds();
    return { keysPruned, holdsExpired };
  }

  protected report({ keysPruned, holdsExpired }: Tidied): string | null {
    return keysPruned || holdsExpired
      ? `Pruned ${keysPruned} idempotency keys, expired ${holdsExpired} holds`
      : null;
  }
}
