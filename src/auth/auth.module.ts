import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { AccessTokenService } from './access-token.service';
import { AccountController } from './account/account.controller';
import { AccountService } from './account/account.service';
import { PasswordCheckController } from './account/password-check.controller';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AuthRateLimits } from './auth-rate-limits';
import { AuthController } from './auth.controller';
import { AccessTokenResolver } from './authentication/access-token.resolver';
import { AuthenticationService } from './authentication/authentication.service';
import { AuthService } from './auth.service';
import { BrowserAuthController } from './browser/browser-auth.controller';
import { EmailCodeService } from './email-code.service';
import { EmailCodesRepository } from './email-codes.repository';
import { AuthEvents } from './events/auth-events';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { LoginTicketService } from './login-ticket.service';
import { RolesGuard } from './guards/roles.guard';
import { MailService } from './mail/mail.service';
import { PasswordHasher } from './passwords';
import { RefreshTokenService } from './refresh-token.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SignOutEverywhereService } from './sign-out-everywhere.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * Accounts, JWT, roles, email codes, and who is calling (`AuthenticationService`): the bottom
 * feature module. It imports no other feature module; the modules above import it for its guards
 * (`JwtAuthGuard`, `RolesGuard` + `@Roles()`, `@CurrentUser()`), register their credential
 * resolvers with `AuthenticationService`, and listen to `AuthEvents`.
 */
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwt.secret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController, BrowserAuthController, AccountController, PasswordCheckController],
  providers: [
    AccessTokenResolver,
    AccessTokenService,
    AccountService,
    AdminBootstrapService,
    AuthEvents,
    AuthRateLimits,
    AuthService,
    AuthenticationService,
    EmailCodeService,
    EmailCodesRepository,
    JwtAuthGuard,
    LoginTicketService,
    MailService,
    PasswordHasher,
    RefreshTokenService,
    RefreshTokensRepository,
    RolesGuard,
    SignOutEverywhereService,
    UsersRepository,
    UsersService,
  ],
  exports: [
    AccessTokenService,
    AuthEvents,
    AuthService,
    AuthenticationService,
    JwtAuthGuard,
    LoginTicketService,
    RolesGuard,
    UsersService,
    RefreshTokenService,
  ],
})
export class AuthModule {}
