import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuthModule } from '../auth/auth.module';
import { GrantsModule } from '../grants/grants.module';
import { SessionModule } from '../session/session.module';
import { GoogleAccountsService } from './google-accounts.service';
import { GoogleLoginHousekeeping } from './google-login-housekeeping';
import { GoogleLoginStatesRepository } from './google-login-states.repository';
import { GoogleLoginService } from './google-login.service';
import { GoogleController } from './google.controller';
import { GoogleStrategy } from './google.strategy';
import { OAuthStateService } from './oauth-state.service';

/**
 * "Log in with Google" and the VERIFIED success page. Above Auth (accounts, tokens) and Session
 * (the page creates the session a third-party service verifies).
 */
@Module({
  imports: [PassportModule, AuthModule, SessionModule, GrantsModule],
  controllers: [GoogleController],
  providers: [
    GoogleAccountsService,
    GoogleLoginService,
    GoogleLoginHousekeeping,
    GoogleLoginStatesRepository,
    GoogleStrategy,
    OAuthStateService,
  ],
})
export class GoogleLoginModule {}
