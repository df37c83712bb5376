import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, CurrentOperator } from '../auth/admin-access';
import { NoStore } from '../common/http/no-store';
import type { Operator } from '../auth/admin-access';
import { AdminApiKeysService } from './admin-api-keys.service';
import { CreateApiKeyDto } from './dto/admin-requests.dto';
import { ApiKeyDto, CreatedApiKeyDto } from './dto/admin-responses.dto';

/** Integration keys (who may call the credit API). Who may call: admins only. */
@ApiTags('admin: integration keys')
@AdminOnly()
@Controller('api/admin/api-keys')
export class AdminApiKeysController {
  constructor(private readonly keys: AdminApiKeysService) {}

  /** Admins: a new key, shown in this response only. */
  @Post()
  @NoStore()
  @ApiOperation({ summary: 'Create an integration key (the full key is shown once)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({ description: 'Bad name, or an empty list or unknown scope.' })
  @ApiConflictResponse({ description: 'An active key already has this name (any letter case).' })
  async create(
    @CurrentOperator() admin: Operator,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return CreatedApiKeyDto.fromCreated(await this.keys.create(admin, dto));
  }

  /** Admins: every key (prefix, name, scopes, created, last used, revoked), never a secret. */
  @Get()
  @ApiOperation({ summary: 'List integration keys' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  async list(): Promise<ApiKeyDto[]> {
    return (await this.keys.list()).map((key) => ApiKeyDto.from(key));
  }

  /** Admins: revoked at once; the key's next call gets 401. */
  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an integration key' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ description: 'Unknown key.' })
  async revoke(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.keys.revoke(admin, id));
  }
}
