import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';

const EVERY_MS = 10 * 60_000;

/**
 * Every 10 minutes: deletes the authorization server's expired rows (codes, tokens, sessions,
 * interactions). Tidying only: an expired row is never answered, so several instances running it
 * at once, or a missed run, is harmless.
 */
@Injectable()
export class OAuthHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OAuthHousekeeping.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly payloads: OAuthPayloadsRepository,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<number> {
    try {
      const pruned = await this.payloads.pruneExpired(this.clock.now());
      if (pruned) this.logger.log(`Pruned ${pruned} expired OAuth rows`);
      return pruned;
    } catch (error) {
      this.logger.warn(`OAuth housekeeping failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
