import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EmailTakenError } from './auth.errors';
import { PasswordHasher } from './passwords';
import { UsersService } from './users.service';

/**
 * ADMIN_EMAIL + ADMIN_PASSWORD: makes sure an admin account exists at start-up. Created when
 * missing; an existing account's password is never changed. An existing non-admin account is
 * promoted only when ADMIN_PASSWORD is its password (the operator proves they own it).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.auth.admin;
    if (!admin) return;
    let user = await this.users.findByEmail(admin.email);
    if (!user) {
      try {
        user = await this.users.create({
          email: admin.email,
          name: 'Administrator',
          passwordHash: await this.passwords.hash(admin.password),
          googleId: null,
          emailVerified: true,
          role: 'admin',
        });
        this.logger.log({ userId: user.id, email: user.email }, 'Admin account created');
        return;
      } catch (error) {
        // Another instance starting at the same moment created it first.
        if (!(error instanceof EmailTakenError)) throw error;
        user = (await this.users.findByEmail(admin.email))!;
      }
    }
    const passwordMatches = await this.passwords.verify(user.passwordHash, admin.password);
    if (user.role === 'admin') {
      if (!passwordMatches) {
        this.logger.warn(
          { userId: user.id },
          'ADMIN_PASSWORD differs from the admin account password; the password was left unchanged',
        );
      }
      return;
    }
    if (passwordMatches) {
      await this.users.setRole(user.id, 'admin');
      this.logger.warn({ userId: user.id }, 'Existing account of ADMIN_EMAIL promoted to admin');
    } else {
      this.logger.error(
        { userId: user.id },
        'ADMIN_EMAIL belongs to a non-admin account whose password is not ADMIN_PASSWORD: not promoted',
      );
    }
  }
}
