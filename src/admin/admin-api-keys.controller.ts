import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, CurrentOperator } from '../auth/admin-access';
import { NoStore } from '../common/http/no-store';
import type { Operator } from '../auth/admin-access';
import { AdminApiKeysService } from './admin-api-keys.service';
import { CreateApiKeyDto } from './dto/admin-requests.dto';

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
  @ApiCreatedResponse({ description: '{id, name, prefix, scopes, …, key}' })
  @ApiBadRequestResponse({ description: 'Bad name, or an empty list or unknown scope.' })
  @ApiConflictResponse({ description: 'An active key already has this name (any letter case).' })
  create(@CurrentOperator() admin: Operator, @Body() dto: CreateApiKeyDto) {
    return this.keys.create(admin, dto);
  }

  /** Admins: every key (prefix, name, scopes, created, last used, revoked), never a secret. */
  @Get()
  @ApiOperation({ summary: 'List integration keys' })
  list() {
    return this.keys.list();
  }

  /** Admins: revoked at once; the key's next call gets 401. */
  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an integration key' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID.' })
  @ApiNotFoundResponse({ description: 'Unknown key.' })
  revoke(@CurrentOperator() admin: Operator, @Param('id', ParseUUIDPipe) id: string) {
    return this.keys.revoke(admin, id);
  }
}
