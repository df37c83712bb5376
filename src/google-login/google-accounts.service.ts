import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { User } from '../auth/entities/user.entity';
import { RefreshTokenService } from '../auth/refresh-token.service';
import { UsersService } from '../auth/users.service';
import {
  GoogleAccountDisabledError,
  GoogleEmailConflictError,
  GoogleEmailUnverifiedError,
  GoogleLoginFailedError,
} from './google.errors';
import { GoogleIdentity } from './google.strategy';

/**
 * Find-or-create for Google logins: by Google id, else by an email Google has verified (linking
 * the Google id to that account), else a new account. Disabled accounts are refused. An email
 * Google has not verified never creates or links an account (S-10: pre-hijacking).
 */
@Injectable()
export class GoogleAccountsService {
  private readonly logger = new Logger(GoogleAccountsService.name);

  constructor(
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokenService,
  ) {}

  async findOrCreate(identity: GoogleIdentity): Promise<User> {
    try {
      return await this.resolve(identity);
    } catch (error) {
      // A concurrent first login of the same person created or linked the account first.
      if (
        error instanceof DomainError &&
        error.kind === 'conflict' &&
        !(error instanceof GoogleEmailConflictError)
      ) {
        return this.resolve(identity);
      }
      throw error;
    }
  }

  private async resolve(identity: GoogleIdentity): Promise<User> {
    const linked = await this.users.findByGoogleId(identity.googleId);
    if (linked) return this.active(linked);
    if (!identity.email) throw new GoogleLoginFailedError('Google did not share an email address');
    if (!identity.emailVerified) throw new GoogleEmailUnverifiedError();

    const existing = await this.users.findByEmail(identity.email);
    if (!existing) {
      const user = await this.users.create({
        email: identity.email,
        name: identity.name,
        passwordHash: null,
        googleId: identity.googleId,
        emailVerified: true,
      });
      this.logger.log({ userId: user.id }, 'Account created by Google login');
      return user;
    }
    this.active(existing);
    if (existing.googleId) {
      throw new GoogleEmailConflictError(
        'This email belongs to an account linked to another Google account',
      );
    }
    // A password set before anyone proved the address may be an attacker's pre-registration:
    // once Google proves the address, that password (and its logins) no longer count.
    const dropPassword = !existing.emailVerified && existing.passwordHash !== null;
    await this.users.linkGoogle(existing.id, identity.googleId, { dropPassword });
    if (dropPassword) await this.refreshTokens.revokeAllForUser(existing.id, 'google_link');
    this.logger.log(
      { userId: existing.id, droppedUnverifiedPassword: dropPassword },
      'Google account linked by verified email',
    );
    return {
      ...existing,
      googleId: identity.googleId,
      emailVerified: true,
      passwordHash: dropPassword ? null : existing.passwordHash,
    };
  }

  private active(user: User): User {
    if (user.status !== 'active') throw new GoogleAccountDisabledError();
    return user;
  }
}
