import { Body, Controller, HttpCode, Ip, Post, Req, Res } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { AuthService, TokenPair } from '../auth.service';
import { LoginDto } from '../dto/auth-requests.dto';
import { UserDto } from '../dto/auth-responses.dto';
import { BrowserTokenDto } from './browser-auth.dto';
import {
  assertSameOrigin,
  clearRefreshCookie,
  readRefreshCookie,
  setRefreshCookie,
} from './browser-cookie';

/**
 * The web app's logins: like /api/auth/login, /refresh and /logout, but the refresh token travels
 * only in an HttpOnly cookie, and every cookie-authenticated call must come from this origin.
 */
@ApiTags('auth')
@ApiForbiddenResponse({ description: 'Origin missing or another site; or account disabled' })
@Controller('api/auth/browser')
export class BrowserAuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  /** Anyone, from a page of this site. */
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in from the web app (refresh token set as an HttpOnly cookie)' })
  @ApiOkResponse({ type: BrowserTokenDto })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password' })
  async login(
    @Body() dto: LoginDto,
    @Ip() ip: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BrowserTokenDto> {
    assertSameOrigin(req);
    return this.handOver(req, res, await this.auth.login(dto, ip));
  }

  /** Holder of the refresh cookie, from a page of this site. The cookie rotates. */
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new access token for the refresh cookie (rotated)' })
  @ApiOkResponse({ type: BrowserTokenDto })
  @ApiNoContentResponse({ description: 'No cookie: this browser is not signed in' })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired, revoked or reused cookie' })
  async refresh(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BrowserTokenDto | undefined> {
    assertSameOrigin(req);
    const token = readRefreshCookie(req);
    // Every page load asks; a visitor who never signed in is an answer, not an error.
    if (!token) {
      res.status(204);
      return undefined;
    }
    try {
      return this.handOver(req, res, await this.auth.refresh(token));
    } catch (error) {
      clearRefreshCookie(req, res);
      throw error;
    }
  }

  /** Holder of the refresh cookie, from a page of this site: revokes the login, clears the cookie. */
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out of the web app (revokes the login server-side)' })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no cookie)' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    assertSameOrigin(req);
    const token = readRefreshCookie(req);
    if (token) await this.auth.logout(token);
    clearRefreshCookie(req, res);
  }

  private handOver(req: Request, res: Response, pair: TokenPair): BrowserTokenDto {
    setRefreshCookie(req, res, pair.refresh_token, this.config.auth.refreshTokenTtlSeconds);
    res.setHeader('Cache-Control', 'no-store');
    const { access_token, token_type, expires_in, user } = pair;
    return { access_token, token_type, expires_in, user: UserDto.from(user) };
  }
}
