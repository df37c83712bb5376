import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentOperator } from '../auth/admin-access';
import type { Operator } from '../auth/admin-access';
import { AdminUsersService } from './admin-users.service';
import { UpdateUserDto, UsersQueryDto } from './dto/admin-requests.dto';

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
  list(@Query() query: UsersQueryDto) {
    return this.users.list(
      { search: query.search, role: query.role, status: query.status },
      query.limit ?? DEFAULT_LIMIT,
      query.cursor,
    );
  }

  /** Admins: profile, credits, live session count, last activity. */
  @Get('users/:id')
  @ApiOperation({ summary: 'A user with balance, live sessions and last activity' })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  detail(@Param('id', ParseUUIDPipe) id: string) {
    return this.users.detail(id);
  }

  /** Admins (not on themselves for demotion or disabling): change role and/or status. */
  @Patch('users/:id')
  @ApiOperation({
    summary: 'Change role and/or status; disabling revokes every session and refresh token',
  })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  update(
    @CurrentOperator() admin: Operator,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
  ) {
    return this.users.update(admin, id, dto);
  }

  /** Admins: the user's live VERIFIED sessions (never their tokens). */
  @Get('users/:id/sessions')
  @ApiOperation({ summary: "A user's live sessions" })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  sessions(@Param('id', ParseUUIDPipe) id: string) {
    return this.users.sessionsOf(id);
  }

  /** Admins: revokes every session of the user at once. */
  @Delete('users/:id/sessions')
  @ApiOperation({ summary: 'Revoke every session of a user' })
  @ApiNotFoundResponse({ description: 'Unknown user.' })
  revokeAll(@CurrentOperator() admin: Operator, @Param('id', ParseUUIDPipe) id: string) {
    return this.users.revokeAllSessions(admin, id);
  }

  /** Admins: revokes one session at once (verify-session answers 401 from the next call). */
  @Delete('sessions/:id')
  @ApiOperation({ summary: 'Revoke one session' })
  @ApiNotFoundResponse({ description: 'Unknown session.' })
  revoke(@CurrentOperator() admin: Operator, @Param('id', ParseUUIDPipe) id: string) {
    return this.users.revokeSession(admin, id);
  }
}
