import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SessionService } from '../session/session.service';
import { OAuthStateService } from './oauth-state.service';

const EVERY_MS = 10 * 60_000;

/**
 * Every 10 minutes (S-20): deletes Google logins in flight past their 10 minutes and third
 * parties' session claims past their expiry, the rows anonymous `GET /api/auth/google` requests
 * write. Tidying only (expired rows are never honoured), so running on several instances at once
 * or missing a run is harmless.
 */
@Injectable()
export class GoogleLoginHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(GoogleLoginHousekeeping.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly states: OAuthStateService,
    private readonly sessions: SessionService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<{ statesPruned: number; claimsPruned: number }> {
    try {
      const statesPruned = await this.states.pruneExpired();
      const claimsPruned = await this.sessions.pruneExpiredClaims();
      if (statesPruned || claimsPruned) {
        this.logger.log(`Pruned ${statesPruned} Google login states, ${claimsPruned} claims`);
      }
      return { statesPruned, claimsPruned };
    } catch (error) {
      this.logger.warn(`Google login housekeeping failed: ${(error as Error).message}`);
      return { statesPruned: 0, claimsPruned: 0 };
    }
  }
}
