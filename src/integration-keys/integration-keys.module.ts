import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IntegrationKeyCache } from './integration-key-cache';
import { IntegrationKeyGuard } from './integration-key.guard';
import { IntegrationKeyRepository } from './integration-key.repository';
import { IntegrationKeyResolver } from './integration-key.resolver';
import { IntegrationKeysService } from './integration-keys.service';

/**
 * Integration keys (`X-API-Key`), on their own so the Session module (device-flow claims) and the
 * Credits module both use them. Registers the key resolver with Auth's AuthenticationService.
 */
@Module({
  imports: [AuthModule],
  providers: [
    IntegrationKeyRepository,
    IntegrationKeyCache,
    IntegrationKeysService,
    IntegrationKeyResolver,
    IntegrationKeyGuard,
  ],
  exports: [IntegrationKeysService, IntegrationKeyGuard],
})
export class IntegrationKeysModule {}
