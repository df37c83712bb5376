import { Injectable } from '@nestjs/common';
import { HousekeepingJob } from '../common/time/housekeeping-job';
import { SessionService } from '../session/session.service';
import { OAuthStateService } from './oauth-state.service';

interface Pruned {
  statesPruned: number;
  claimsPruned: number;
}

/**
 * (S-20) Deletes Google logins in flight past their 10 minutes and third parties' session claims
 * past their expiry, the rows anonymous `GET /api/auth/google` requests write.
 */
@Injectable()
export class GoogleLoginHousekeeping extends HousekeepingJob<Pruned> {
  constructor(
    private readonly states: OAuthStateService,
    private readonly sessions: SessionService,
  ) {
    super('Google login', { statesPruned: 0, claimsPruned: 0 });
  }

  protected async tidy(): Promise<Pruned> {
    const statesPruned = await this.states.pruneExpired();
    const claimsPruned = await this.sessions.pruneExpiredClaims();
    return { statesPruned, claimsPruned };
  }

  protected report({ statesPruned, claimsPruned }: Pruned): string | null {
    return statesPruned || claimsPruned
      ? `Pruned ${statesPruned} Google login states, ${claimsPruned} claims`
      : null;
  }
}
