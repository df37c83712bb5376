import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { CREDIT_RESOURCE_PATH } from '../config/variables/oauth';
import { ProtectedResourceMetadataDto } from './dto/protected-resource.dto';

/**
 * RFC 9728: the credit API and the chat socket as OAuth protected resources. The credit API's
 * 401/403 name the first document in `WWW-Authenticate: Bearer resource_metadata=…`, so an MCP
 * server or client finds the hub's authorization server from a refused call. (The authorization
 * server's own metadata, RFC 8414, is oidc-provider's, at /.well-known/oauth-authorization-server.)
 */
@ApiTags('oauth')
@Controller('.well-known/oauth-protected-resource')
export class ProtectedResourceController {
  constructor(private readonly config: AppConfig) {}

  @Get(CREDIT_RESOURCE_PATH.slice(1))
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOperation({ summary: 'Protected-resource metadata of the credit API (RFC 9728)' })
  @ApiOkResponse({ type: ProtectedResourceMetadataDto })
  credits(): ProtectedResourceMetadataDto {
    return this.document(this.config.oauth.resource, 'Smart AI Hub credit API', [
      'credits:read',
      'credits:spend',
    ]);
  }

  @Get('mcp')
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOperation({ summary: 'Protected-resource metadata of the chat socket (RFC 9728)' })
  @ApiOkResponse({ type: ProtectedResourceMetadataDto })
  chat(): ProtectedResourceMetadataDto {
    return this.document(this.config.oauth.chatResource, 'Smart AI Hub chat', ['chat']);
  }

  private document(resource: string, name: string, scopes: string[]): ProtectedResourceMetadataDto {
    return Object.assign(new ProtectedResourceMetadataDto(), {
      resource,
      authorization_servers: [this.config.oauth.issuer],
      scopes_supported: scopes,
      bearer_methods_supported: ['header'],
      resource_name: name,
    });
  }
}
