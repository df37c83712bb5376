import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-access';
import {
  CreateGrantDto,
  GrantDto,
  GrantListDto,
  ListGrantsQueryDto,
  UpdateGrantDto,
} from './dto/grant.dto';
import { GrantsService } from './grants.service';

/** Every user's grants. Who may call: admins only. */
@ApiTags('admin: grants')
@AdminOnly()
@Controller('api/admin/grants')
export class AdminGrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get()
  @ApiOperation({ summary: 'Grants, newest first, of a user and/or an app' })
  @ApiOkResponse({ type: GrantListDto })
  async list(@Query() query: ListGrantsQueryDto): Promise<GrantListDto> {
    return GrantListDto.from(
      await this.grants.list({
        userId: query.user_id,
        clientId: query.client_id,
        includeRevoked: query.include_revoked === 'true',
      }),
    );
  }

  @Post()
  @ApiOperation({ summary: "Grant an app spending on a user's behalf (replaces a live grant)" })
  @ApiCreatedResponse({ type: GrantDto })
  @ApiBadRequestResponse({ description: 'Bad caps, client or scopes.' })
  async create(@Body() dto: CreateGrantDto): Promise<GrantDto> {
    const caps = this.grants.parseCaps(dto, this.grants.defaultCaps());
    return GrantDto.from(
      await this.grants.grant({
        userId: dto.user_id,
        clientType: dto.client_type,
        clientId: dto.client_id,
        scopes: [...new Set(dto.scopes)],
        caps,
        source: 'admin',
      }),
    );
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a grant's caps" })
  @ApiOkResponse({ type: GrantDto })
  @ApiNotFoundResponse({ description: 'No live grant with this id.' })
  async update(@Param('id') id: string, @Body() dto: UpdateGrantDto): Promise<GrantDto> {
    return GrantDto.from(await this.grants.setCaps(id, null, dto));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a grant at once' })
  @ApiOkResponse({ type: GrantDto })
  @ApiNotFoundResponse({ description: 'No live grant with this id.' })
  async revoke(@Param('id') id: string): Promise<GrantDto> {
    return GrantDto.from(await this.grants.revoke(id, null));
  }
}
