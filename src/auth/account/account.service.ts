import { Injectable } from '@nestjs/common';
import { InvalidAccessTokenError, WrongCurrentPasswordError } from '../auth.errors';
import { User } from '../entities/user.entity';
import { PasswordHasher } from '../passwords';
import { RefreshTokenService } from '../refresh-token.service';
import { UsersService } from '../users.service';

/** What a signed-in user changes about their own account. */
@Injectable()
export class AccountService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly refreshTokens: RefreshTokenService,
  ) {}

  async get(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new InvalidAccessTokenError();
    return user;
  }

  async rename(userId: string, name: string): Promise<User> {
    await this.users.rename(userId, name);
    return this.get(userId);
  }

  /**
   * The current password proves it is the owner (a Google-only account sets its first one). Every
   * login ends: the browser signs in again with the new password.
   */
  async changePassword(
    userId: string,
    input: { current_password?: string; new_password: string },
  ): Promise<void> {
    const user = await this.get(userId);
    if (
      user.passwordHash !== null &&
      !(await this.passwords.verify(user.passwordHash, input.current_password ?? ''))
    ) {
      throw new WrongCurrentPasswordError();
    }
    this.passwords.assertStrong(input.new_password, user.email);
    await this.users.setPasswordHash(userId, await this.passwords.hash(input.new_password));
    await this.refreshTokens.revokeAllForUser(userId, 'password_changed');
  }
}
