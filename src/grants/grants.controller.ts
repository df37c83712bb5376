import { Body, Controller, Delete, Get, Param, Patch, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../auth/decorators/current-user.decorator';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { GrantDto, GrantListDto, UpdateGrantDto } from './dto/grant.dto';
import { GrantsService } from './grants.service';

/**
 * The user's connected apps (the web app's "Connected apps"). Who may call: any user with a JWT
 * access token, for their own grants only (another user's grant is a 404).
 */
@ApiTags('grants')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid access token.' })
@UseGuards(JwtAuthGuard)
@Controller('api/grants')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get()
  @ApiOperation({ summary: 'My live grants: app, scopes, caps, spent this period, last used' })
  @ApiOkResponse({ type: GrantListDto })
  async list(@CurrentUser() user: AuthenticatedUser): Promise<GrantListDto> {
    return GrantListDto.from(await this.grants.list({ userId: user.id }));
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a grant's caps (null removes a cap)" })
  @ApiOkResponse({ type: GrantDto })
  @ApiNotFoundResponse({ description: 'No live grant of mine with this id.' })
  async update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: UpdateGrantDto,
  ): Promise<GrantDto> {
    return GrantDto.from(await this.grants.setCaps(id, user.id, dto));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a grant: its tokens and sockets end at once' })
  @ApiOkResponse({ type: GrantDto })
  @ApiNotFoundResponse({ description: 'No live grant of mine with this id.' })
  async revoke(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<GrantDto> {
    return GrantDto.from(await this.grants.revoke(id, user.id));
  }
}
