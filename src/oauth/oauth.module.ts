import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GrantsModule } from '../grants/grants.module';
import { AdminOAuthClientsController } from './admin-oauth-clients.controller';
import { CimdGuard } from './cimd-guard';
import { InteractionController } from './interaction.controller';
import { InteractionService } from './interaction.service';
import { OAuthClientsService } from './oauth-clients.service';
import { OAuthHousekeeping } from './oauth-housekeeping';
import { OAuthKeys } from './oauth-keys';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';
import { OAuthServer } from './oauth-server';
import { OAuthTokenResolver } from './oauth-token.resolver';
import { ProtectedResourceController } from './protected-resource.controller';

/**
 * The OAuth 2.1 authorization server (issue 19 parts 2–4): oidc-provider under /oauth, the
 * sign-in and consent pages, admin-registered clients, and OAuth access tokens as a credential
 * kind (`oauth_token`) the credit API accepts, acting under the user's spending grant.
 */
@Module({
  imports: [AuthModule, GrantsModule],
  controllers: [InteractionController, AdminOAuthClientsController, ProtectedResourceController],
  providers: [
    CimdGuard,
    InteractionService,
    OAuthClientsService,
    OAuthHousekeeping,
    OAuthKeys,
    OAuthPayloadsRepository,
    OAuthServer,
    OAuthTokenResolver,
  ],
  exports: [OAuthServer],
})
export class OAuthModule {}
