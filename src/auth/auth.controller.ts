import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { NoStore } from '../common/http/no-store';
import {
  EmailDto,
  LoginDto,
  RefreshTokenDto,
  RegisterDto,
  ResetPasswordDto,
  VerifyEmailDto,
} from './dto/auth-requests.dto';
import { AcceptedDto, TokenPairDto, UserDto } from './dto/auth-responses.dto';
import { AuthService } from './auth.service';
import { CurrentUser } from './decorators/current-user.decorator';
import type { AuthenticatedUser } from './decorators/current-user.decorator';
import { JwtAuthGuard } from './guards/jwt-auth.guard';

const TOO_MANY = {
  status: 429,
  description: 'Too many attempts from this IP or for this email (Retry-After)',
};

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /**
   * Anyone. Always 202, whether or not the address already has an account (S-18): a new address
   * gets a verification code, an existing one's owner a mail saying someone tried.
   */
  @Post('register')
  @HttpCode(202)
  @ApiOperation({ summary: 'Create an account (a verification code is mailed)' })
  @ApiResponse({ status: 202, type: AcceptedDto })
  @ApiResponse({ status: 400, description: 'Invalid input or weak password (the rule is named)' })
  @ApiResponse(TOO_MANY)
  async register(@Body() dto: RegisterDto, @Ip() ip: string): Promise<AcceptedDto> {
    await this.auth.register(dto, ip);
    return { status: 'accepted' };
  }

  /**
   * Anyone. Limited by AUTH_RATE_LIMIT_PER_IP (counted first, before the database) and the
   * email + IP back-off, not by the general per-IP limit as well: one Redis round trip less.
   */
  @Post('login')
  @NoStore()
  @SkipThrottle()
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password' })
  @ApiResponse({ status: 200, type: TokenPairDto })
  @ApiResponse({ status: 401, description: 'Wrong email or password (one message for both)' })
  @ApiResponse({ status: 403, description: 'Account disabled' })
  @ApiResponse(TOO_MANY)
  async login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenPairDto> {
    return TokenPairDto.from(await this.auth.login(dto, ip));
  }

  /** Holder of a refresh token. The token is single use; reusing an old one ends the whole login. */
  @Post('refresh')
  @NoStore()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (rotation)' })
  @ApiResponse({ status: 200, type: TokenPairDto })
  @ApiResponse({ status: 401, description: 'Unknown, expired, revoked or reused refresh token' })
  @ApiResponse({ status: 403, description: 'Account disabled' })
  async refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairDto> {
    return TokenPairDto.from(await this.auth.refresh(dto.refresh_token));
  }

  /** Holder of a refresh token: revokes it and every token of the same login. */
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a refresh token (and its family)' })
  @ApiResponse({ status: 204, description: 'Revoked (also for an unknown token)' })
  logout(@Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(dto.refresh_token);
  }

  /** Any authenticated user. */
  @Get('me')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller' })
  @ApiResponse({ status: 200, type: UserDto })
  @ApiResponse({ status: 401, description: 'Missing or invalid access token' })
  @ApiResponse({ status: 403, description: 'Account disabled' })
  async me(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return UserDto.from(await this.auth.me(user.id));
  }

  /** Anyone with the mailed code. */
  @Post('verify-email')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm the email address with the 6-digit code' })
  @ApiResponse({ status: 200, type: UserDto })
  @ApiResponse({ status: 400, description: 'Wrong, expired, used or burnt code' })
  @ApiResponse(TOO_MANY)
  async verifyEmail(@Body() dto: VerifyEmailDto, @Ip() ip: string): Promise<UserDto> {
    return UserDto.from(await this.auth.verifyEmail(dto, ip));
  }

  /** Anyone. Always 202, whether or not the address has an unverified account. */
  @Post('resend-verification')
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a new verification code' })
  @ApiResponse({ status: 202, type: AcceptedDto })
  @ApiResponse(TOO_MANY)
  async resendVerification(@Body() dto: EmailDto, @Ip() ip: string): Promise<AcceptedDto> {
    await this.auth.resendVerification(dto, ip);
    return { status: 'accepted' };
  }

  /** Anyone. Always 202: the answer never reveals whether the address has an account. */
  @Post('forgot-password')
  @HttpCode(202)
  @ApiOperation({ summary: 'Mail a password-reset code' })
  @ApiResponse({ status: 202, type: AcceptedDto })
  @ApiResponse(TOO_MANY)
  async forgotPassword(@Body() dto: EmailDto, @Ip() ip: string): Promise<AcceptedDto> {
    await this.auth.forgotPassword(dto, ip);
    return { status: 'accepted' };
  }

  /** Anyone with the mailed code. Revokes every refresh token of the account. */
  @Post('reset-password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with the 6-digit code' })
  @ApiResponse({ status: 204, description: 'Password changed; refresh tokens revoked' })
  @ApiResponse({ status: 400, description: 'Wrong/expired code, or weak password (rule named)' })
  @ApiResponse(TOO_MANY)
  resetPassword(@Body() dto: ResetPasswordDto, @Ip() ip: string): Promise<void> {
    return this.auth.resetPassword(dto, ip);
  }
}
