import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-access';
import { NoStore } from '../common/http/no-store';
import {
  CreatedOAuthClientDto,
  CreateOAuthClientDto,
  OAuthClientDto,
  OAuthClientListDto,
  UpdateOAuthClientDto,
} from './dto/oauth-client.dto';
import { OAuthClientsService } from './oauth-clients.service';

/** OAuth clients (apps users connect through consent). Who may call: admins only. */
@ApiTags('admin: oauth clients')
@AdminOnly()
@Controller('api/admin/oauth/clients')
export class AdminOAuthClientsController {
  constructor(private readonly clients: OAuthClientsService) {}

  @Post()
  @NoStore()
  @ApiOperation({
    summary: "Register an OAuth client (a confidential client's secret is shown once)",
  })
  @ApiCreatedResponse({ type: CreatedOAuthClientDto })
  @ApiBadRequestResponse({ description: 'Bad redirect URI, scope, caps or PKCE setting.' })
  async create(@Body() dto: CreateOAuthClientDto): Promise<CreatedOAuthClientDto> {
    const { client, secret } = await this.clients.create(dto);
    return CreatedOAuthClientDto.fromCreated(client, secret);
  }

  @Get()
  @ApiOperation({ summary: 'Every OAuth client, newest first (never a secret)' })
  @ApiOkResponse({ type: OAuthClientListDto })
  async list(): Promise<OAuthClientListDto> {
    const items = (await this.clients.list()).map((c) => OAuthClientDto.from(c));
    return Object.assign(new OAuthClientListDto(), { items });
  }

  @Get(':client_id')
  @ApiOperation({ summary: 'One OAuth client' })
  @ApiOkResponse({ type: OAuthClientDto })
  @ApiNotFoundResponse({ description: 'Unknown client.' })
  async get(@Param('client_id') clientId: string): Promise<OAuthClientDto> {
    return OAuthClientDto.from(await this.clients.get(clientId));
  }

  @Patch(':client_id')
  @ApiOperation({ summary: 'Change a client (what the body names); the secret stays' })
  @ApiOkResponse({ type: OAuthClientDto })
  @ApiBadRequestResponse({ description: 'Bad redirect URI, scope, caps or PKCE setting.' })
  @ApiNotFoundResponse({ description: 'Unknown client.' })
  async update(
    @Param('client_id') clientId: string,
    @Body() dto: UpdateOAuthClientDto,
  ): Promise<OAuthClientDto> {
    return OAuthClientDto.from(await this.clients.update(clientId, dto));
  }

  @Delete(':client_id')
  @ApiOperation({ summary: "Delete a client: every user's grant to it and every token end" })
  @ApiOkResponse({ type: OAuthClientDto })
  @ApiNotFoundResponse({ description: 'Unknown client.' })
  async remove(@Param('client_id') clientId: string): Promise<OAuthClientDto> {
    return OAuthClientDto.from(await this.clients.remove(clientId));
  }
}
