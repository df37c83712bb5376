import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/app-config';
import { CreditsModule } from '../credits/credits.module';
import { SessionModule } from '../session/session.module';
import { AccessTokenService } from './access-token.service';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthRateLimits } from './auth-rate-limits';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { EmailCodeService } from './email-code.service';
import { EmailCodesRepository } from './email-codes.repository';
import { GoogleAccountsService } from './google/google-accounts.service';
import { GoogleLoginService } from './google/google-login.service';
import { GoogleController } from './google/google.controller';
import { GoogleStrategy } from './google/google.strategy';
import { OAuthStateService } from './google/oauth-state.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { RolesGuard } from './guards/roles.guard';
import { MailService } from './mail/mail.service';
import { PasswordHasher } from './passwords';
import { RefreshTokenService } from './refresh-token.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Accounts, JWT, roles, email codes and Google OAuth. Global: every module can put
 * `JwtAuthGuard` / `RolesGuard` + `@Roles()` / `@CurrentUser()` on its routes and inject
 * `AccessTokenService` or `UsersService` without importing this module.
 */
@Global()
@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.secret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    SessionModule,
    CreditsModule,
  ],
  controllers: [AuthController, GoogleController],
  providers: [
    AccessTokenService,
    AdminBootstrapService,
    AuthRateLimits,
    AuthService,
    EmailCodeService,
    EmailCodesRepository,
    GoogleAccountsService,
    GoogleLoginService,
    GoogleStrategy,
    JwtAuthGuard,
    MailService,
    OAuthStateService,
    PasswordHasher,
    RefreshTokenService,
    RefreshTokensRepository,
    RolesGuard,
    UsersRepository,
    UsersService,
  ],
  exports: [AccessTokenService, JwtAuthGuard, RolesGuard, UsersService, RefreshTokenService],
})
export class AuthModule {}
