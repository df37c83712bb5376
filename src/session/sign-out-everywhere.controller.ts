import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import type { AuthenticatedUser } from '../auth/decorators/current-user.decorator';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { RefreshTokenService } from '../auth/refresh-token.service';
import { SessionService } from './session.service';

export class SignedOutDto {
  @ApiProperty({ description: 'Refresh tokens (logins) revoked' }) refresh_tokens_revoked!: number;
  @ApiProperty({ description: 'VERIFIED sessions revoked' }) sessions_revoked!: number;
}

/**
 * The profile's "sign out everywhere". Here, above Auth, because it ends both kinds of login.
 * Who may call: any user with a JWT access token, for themself.
 */
@ApiTags('account')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid access token.' })
@UseGuards(JwtAuthGuard)
@Controller('api/account')
export class SignOutEverywhereController {
  constructor(
    private readonly refreshTokens: RefreshTokenService,
    private readonly sessions: SessionService,
  ) {}

  @Post('sign-out-everywhere')
  @HttpCode(200)
  @ApiOperation({ summary: 'End every login and every VERIFIED session of mine' })
  @ApiOkResponse({ type: SignedOutDto })
  async signOutEverywhere(@CurrentUser() user: AuthenticatedUser): Promise<SignedOutDto> {
    const refresh_tokens_revoked = await this.refreshTokens.revokeAllForUser(
      user.id,
      'signed_out_everywhere',
    );
    const sessions_revoked = await this.sessions.revokeAllForUser(user.id, 'signed_out_everywhere');
    return { refresh_tokens_revoked, sessions_revoked };
  }
}
