import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IntegrationKeysModule } from '../integration-keys/integration-keys.module';
import { SessionCache } from './session-cache';
import { SessionController } from './session.controller';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';

/** VERIFIED session tokens for third-party services: creation, verification, claims, revocation. */
@Module({
  imports: [AuthModule, IntegrationKeysModule],
  controllers: [SessionController],
  providers: [SessionService, SessionRepository, SessionCache],
  exports: [SessionService],
})
export class SessionModule {}
