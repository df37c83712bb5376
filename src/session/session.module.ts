import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IntegrationKeysModule } from '../integration-keys/integration-keys.module';
import { SessionCache } from './session-cache';
import { SessionController } from './session.controller';
import { SignOutEverywhereController } from './sign-out-everywhere.controller';
import { SessionRepository } from './session.repository';
import { SessionResolver } from './session.resolver';
import { SessionService } from './session.service';

/**
 * VERIFIED session tokens for third-party services: creation, verification, claims, revocation.
 * Registers the session resolver with Auth's AuthenticationService.
 */
@Module({
  imports: [AuthModule, IntegrationKeysModule],
  controllers: [SessionController, SignOutEverywhereController],
  providers: [SessionService, SessionRepository, SessionCache, SessionResolver],
  exports: [SessionService],
})
export class SessionModule {}
