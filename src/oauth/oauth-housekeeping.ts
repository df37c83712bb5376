import { Injectable } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { HousekeepingJob } from '../common/time/housekeeping-job';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';

/** Deletes the authorization server's expired rows (codes, tokens, sessions, interactions). */
@Injectable()
export class OAuthHousekeeping extends HousekeepingJob<number> {
  constructor(
    private readonly payloads: OAuthPayloadsRepository,
    private readonly clock: Clock,
  ) {
    super('OAuth', 0);
  }

  protected tidy(): Promise<number> {
    return this.payloads.pruneExpired(this.clock.now());
  }

  protected report(pruned: number): string | null {
    return pruned ? `Pruned ${pruned} expired OAuth rows` : null;
  }
}
