import { Controller, Get, Headers, Ip } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { VerifySessionResultDto } from './dto/verify-session-result.dto';
import { SessionService } from './session.service';

@ApiTags('sessions')
@Controller('api/auth')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  /**
   * Public: the VERIFIED token is the credential. One integration backend verifies for many users
   * from one address, so only failures are limited (per IP), not the general per-IP limit.
   */
  @Get('verify-session')
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
    @Headers('x-session-token') token: string | undefined,
    @Ip() ip: string,
  ): Promise<VerifySessionResultDto> {
    return VerifySessionResultDto.from(await this.sessions.verifyForClient(token, ip));
  }
}
