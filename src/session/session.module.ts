import { Module } from '@nestjs/common';
import { IntegrationKeysModule } from '../credits/integration-keys/integration-keys.module';
import { SessionCache } from './session-cache';
import { SessionController } from './session.controller';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';

/** VERIFIED session tokens for third-party services: creation, verification, claims, revocation. */
@Module({
  imports: [IntegrationKeysModule],
  controllers: [SessionController],
  providers: [SessionService, SessionRepository, SessionCache],
  exports: [SessionService],
})
export class SessionModule {}
