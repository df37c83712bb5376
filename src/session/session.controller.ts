import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AuthenticationService } from '../auth/authentication/authentication.service';
import { sessionTokenCredential } from '../auth/authentication/credentials';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../auth/decorators/current-user.decorator';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { CurrentRequest } from '../common/http/request-context';
import { NoStore } from '../common/http/no-store';
import type { RequestContext } from '../common/http/request-context';
import { IntegrationKeyGuard, RequireScope } from '../integration-keys/integration-key.guard';
import type { RequestWithIntegrationKey } from '../integration-keys/integration-key.guard';
import { ClaimedSessionDto, ClaimPendingDto, RevokedCountDto } from './dto/claim-result.dto';
import { ClaimSessionDto } from './dto/claim-session.dto';
import { SessionViewDto } from './dto/session-view.dto';
import { VerifySessionResultDto } from './dto/verify-session-result.dto';
import { SessionService } from './session.service';

@ApiTags('sessions')
@Controller('api/auth')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly authentication: AuthenticationService,
  ) {}

  /**
   * Public: the VERIFIED token is the credential. One integration backend verifies for many users
   * from one address, so only failures are limited (per IP), not the general per-IP limit.
   */
  @Get('verify-session')
  @NoStore()
  @SkipThrottle()
  @ApiOperation({ summary: 'Verify a VERIFIED-… session token and return its user' })
  @ApiHeader({ name: 'X-Session-Token', required: true, description: 'The VERIFIED-… code' })
  @ApiResponse({ status: 200, type: VerifySessionResultDto })
  @ApiResponse({
    status: 401,
    description: 'Missing, malformed, expired or revoked token; user disabled',
  })
  @ApiResponse({ status: 404, description: 'Session not found' })
  @ApiResponse({ status: 429, description: 'Too many failed verifications from this IP' })
  async verify(
    @Req() req: Request,
    @CurrentRequest() client: RequestContext,
  ): Promise<VerifySessionResultDto> {
    const caller = await this.authentication.authenticateUser(
      sessionTokenCredential(req.headers),
      client,
      ['session'],
    );
    return VerifySessionResultDto.from(caller);
  }

  /**
   * Integrations only (`X-API-Key` with the `sessions:claim` scope): collect the session of a
   * user who logged in with `?session=<id>`, instead of having them paste the code.
   */
  @Post('sessions/claim')
  @NoStore()
  @SkipThrottle()
  @UseGuards(IntegrationKeyGuard)
  @RequireScope('sessions:claim')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: 'Device-flow style: 202 while the login is pending, then the token exactly once',
  })
  @ApiAcceptedResponse({ type: ClaimPendingDto })
  @ApiOkResponse({ type: ClaimedSessionDto, description: 'Delivered this once' })
  @ApiNotFoundResponse({ description: 'No login was started with this session id' })
  @ApiGoneResponse({ description: 'Already delivered, or the login attempt expired' })
  async claim(
    @Body() dto: ClaimSessionDto,
    @Req() req: RequestWithIntegrationKey,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClaimPendingDto | ClaimedSessionDto> {
    const result = await this.sessions.claimForService(dto.session, req.integrationKey!.name);
    if (result.status === 'pending') {
      res.status(202);
      return { status: 'pending' };
    }
    res.status(200);
    return ClaimedSessionDto.from(result);
  }

  /** The signed-in user's own live sessions (JWT). */
  @Get('sessions')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'My live VERIFIED sessions and logins (a login is also what a chat socket opened with its access token belongs to); never the tokens',
  })
  @ApiOkResponse({ type: [SessionViewDto] })
  async list(@CurrentUser() user: AuthenticatedUser): Promise<SessionViewDto[]> {
    const { sessions, logins } = await this.sessions.listOwn(user.id);
    return [
      ...sessions.map((s) => SessionViewDto.from(s)),
      ...logins.map((l) => SessionViewDto.fromLogin(l)),
    ];
  }

  /**
   * End one of my sessions or logins (JWT); ending a login ends its access tokens and chat
   * sockets at once. Someone else's id answers 404.
   */
  @Delete('sessions/:id')
  @HttpCode(204)
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke one of my sessions or logins' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ description: 'No such session of mine' })
  async revokeOne(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    await this.sessions.revokeOwn(user.id, id);
  }

  /** Revoke all my sessions (JWT). */
  @Delete('sessions')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke all my sessions' })
  @ApiOkResponse({ type: RevokedCountDto })
  async revokeAll(@CurrentUser() user: AuthenticatedUser): Promise<RevokedCountDto> {
    return { revoked: await this.sessions.revokeAllForUser(user.id, 'user_revoked_all') };
  }
}
