import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/time/clock';
import { AuthEvents } from './events/auth-events';
import { RefreshTokenService } from './refresh-token.service';
import { UsersRepository } from './users.repository';

/**
 * Ends every credential of a user at once (password reset, account recovery): access tokens
 * issued before now ("tokens valid after", to the second, since `iat` has no finer grain; one
 * issued earlier in that same second belongs to a login revoked here), every refresh-token family,
 * then, through `user.signed_out_everywhere`, every VERIFIED session and every live socket.
 */
@Injectable()
export class SignOutEverywhereService {
  private readonly logger = new Logger(SignOutEverywhereService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokenService,
    private readonly events: AuthEvents,
    private readonly clock: Clock,
  ) {}

  async signOut(userId: string, reason: string): Promise<void> {
    const validAfter = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000);
    const revokedLogins = await this.dataSource.transaction(async (tx) => {
      await this.users.update(userId, { tokensValidAfter: validAfter }, tx);
      return this.refreshTokens.revokeAllForUser(userId, reason, tx);
    });
    await this.events.emit('user.signed_out_everywhere', { userId, reason });
    this.logger.log(
      { userId, reason, revokedRefreshTokens: revokedLogins },
      'Signed out everywhere',
    );
  }
}
