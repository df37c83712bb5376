import { Injectable } from '@nestjs/common';
import {
  AuthenticationService,
  RegisteredResolver,
} from '../auth/authentication/authentication.service';
import type { AuthenticationContext, ResolvedCredential } from '../auth/authentication/caller';
import { IntegrationKeysService } from './integration-keys.service';

/** `X-API-Key`: an integration (a third-party service). */
@Injectable()
export class IntegrationKeyResolver extends RegisteredResolver {
  readonly kind = 'integration_key';
  readonly carrier = 'api_key';

  constructor(
    private readonly keys: IntegrationKeysService,
    authentication: AuthenticationService,
  ) {
    super(authentication);
  }

  async resolve(value: string, context: AuthenticationContext): Promise<ResolvedCredential> {
    const key = await this.keys.authenticateCaller(value, context.ip ?? 'unknown');
    return {
      type: 'integration',
      integration: { id: key.id, name: key.name, scopes: key.scopes, userScope: key.userScope },
      credentialId: key.id,
    };
  }
}
