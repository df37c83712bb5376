import { Module } from '@nestjs/common';
import { IntegrationKeyGuard } from './integration-key.guard';
import { IntegrationKeyRepository } from './integration-key.repository';
import { IntegrationKeysService } from './integration-keys.service';

/**
 * Integration keys on their own, so the Session module (device-flow claims) and the Credits
 * module can both authenticate services without importing each other.
 */
@Module({
  providers: [IntegrationKeyRepository, IntegrationKeysService, IntegrationKeyGuard],
  exports: [IntegrationKeysService, IntegrationKeyGuard],
})
export class IntegrationKeysModule {}
