import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { CreditsModule } from '../credits/credits.module';
import { GrantsModule } from '../grants/grants.module';
import { SessionModule } from '../session/session.module';
import { ChatAdmission } from './chat-admission';
import { ChatBilling } from './chat-billing';
import { ChatMetrics } from './chat-metrics';
import { ChatService } from './chat.service';
import { McpGateway } from './mcp.gateway';
import { AdminModelsController } from './models/admin-models.controller';
import { ModelsController } from './models/models.controller';
import { ChatPageController } from './page/chat-page.controller';
import { ModelsRepository } from './models/models.repository';
import { ModelsService } from './models/models.service';
import { ProviderRegistry } from './providers/provider-registry';
import { SocketAuthenticator } from './socket-authenticator';
import { SocketLimits } from './socket-limits';
import { TokenEstimator } from './token-estimator';
import { UpstreamRunner } from './upstream-runner';

/** Chat over Socket.IO (`/mcp`) from OpenAI and Anthropic, charged per token through holds. */
@Module({
  imports: [
    AuthModule,
    SessionModule,
    CreditsModule,
    ConversationsModule,
    // An app's socket ends with its grant (`grant.revoked`).
    GrantsModule,
  ],
  controllers: [ModelsController, AdminModelsController, ChatPageController],
  providers: [
    ModelsRepository,
    ModelsService,
    ProviderRegistry,
    UpstreamRunner,
    TokenEstimator,
    ChatBilling,
    ChatMetrics,
    ChatAdmission,
    SocketAuthenticator,
    SocketLimits,
    ChatService,
    McpGateway,
  ],
})
export class McpModule {}
