import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RevokedCountDto } from '../session/dto/claim-result.dto';
import { AdminOnly, CurrentOperator } from '../auth/admin-access';
import type { Operator } from '../auth/admin-access';
import { AdminUsersService } from './admin-users.service';
import { UpdateUserDto, UsersQueryDto } from './dto/admin-requests.dto';
import {
  AdminSessionDto,
  UserDetailDto,
  UserPageDto,
  UserUpdateResultDto,
} from './dto/admin-responses.dto';

const DEFAULT_LIMIT = 50;

/** Accounts and their sessions. Who may call: admins only (JWT with role `admin`). */
@ApiTags('admin: users and sessions')
@AdminOnly()
@ApiBadRequestResponse({ description: 'Invalid id, body or query.' })
@Controller('api/admin')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  /** Admins: search by part of the email or name (trigram-indexed), filter by role and status. */
  @Get('users')
  @ApiOperation({ summary: 'List and search users, newest first (keyset pages)' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@Query() query: UsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(
      { search: query.search, role: query.role, status: query.status },
      query.limit ?? DEFAULT_LIMIT,
      query.cursor,
    );
    return UserPageDto.from(page);
  }

  /** Admins: profile, credits, live session count, last activity. */
  @Get('users/:id')
  @ApiOperation({ summary: 'A user with balance, live sessions and last activity' })
  @ApiOkResponse({ type: UserDetailDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  async detail(@Param('id', ParseUUIDPipe) id: string): Promise<UserDetailDto> {
    return UserDetailDto.fromDetail(await this.users.detail(id));
  }

  /** Admins (not on themselves for demotion or disabling): change role and/or status. */
  @Patch('users/:id')
  @ApiOperation({
    summary: 'Change role and/or status; disabling revokes every session and refresh token',
  })
  @ApiOkResponse({ type: UserUpdateResultDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  async update(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserUpdateResultDto> {
    return UserUpdateResultDto.from(await this.users.update(admin, id, dto));
  }

  /** Admins: the user's live VERIFIED sessions (never their tokens). */
  @Get('users/:id/sessions')
  @ApiOperation({ summary: "A user's live sessions" })
  @ApiOkResponse({ type: [AdminSessionDto] })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  async sessions(@Param('id', ParseUUIDPipe) id: string): Promise<AdminSessionDto[]> {
    return (await this.users.sessionsOf(id)).map((session) => AdminSessionDto.from(session));
  }

  /** Admins: revokes every session of the user at once. */
  @Delete('users/:id/sessions')
  @ApiOperation({ summary: 'Revoke every session of a user' })
  @ApiOkResponse({ type: RevokedCountDto })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  async revokeAll(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RevokedCountDto> {
    const { revoked } = await this.users.revokeAllSessions(admin, id);
    return { revoked };
  }

  /** Admins: revokes one session at once (verify-session answers 401 from the next call). */
  @Delete('sessions/:id')
  @ApiOperation({ summary: 'Revoke one session' })
  @ApiOkResponse({ type: RevokedCountDto })
  @ApiNotFoundResponse({ description: 'Unknown session.' })
  async revoke(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RevokedCountDto> {
    const { revoked } = await this.users.revokeSession(admin, id);
    return { revoked };
  }
}
