import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { readCookie, STATE_COOKIE } from './cookies';
import { GoogleLoginService } from './google-login.service';
import { GooglePageFilter } from './google-page.filter';
import { OAUTH_STATE_TTL_MS } from './oauth-state.service';
import { setRefreshCookie } from '../auth/browser/browser-cookie';
import { sendSuccessPage } from './pages';

/**
 * Google login, opened in a browser by anyone (a third party sends its user here). Served under
 * /api/auth/google and, like the older gateway, /auth/google.
 */
@ApiTags('auth')
@Controller()
@UseFilters(GooglePageFilter)
export class GoogleController {
  constructor(
    private readonly google: GoogleLoginService,
    private readonly config: AppConfig,
  ) {}

  private cookieOptions() {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.auth.google.callbackUrl?.startsWith('https:') ?? false,
      path: '/',
    };
  }

  /** Anyone (browser). Remembers the request under a new state cookie and redirects to Google. */
  @Get(['api/auth/google', 'auth/google'])
  @ApiOperation({ summary: 'Start a Google login (session mode with ?session=…)' })
  @ApiQuery({ name: 'session', required: false, description: "The third party's session id" })
  @ApiQuery({ name: 'return_to', required: false, enum: ['chatgpt', 'api'] })
  @ApiResponse({ status: 302, description: 'To Google' })
  @ApiResponse({ status: 400, description: 'Malformed session or unknown return_to (HTML page)' })
  @ApiResponse({
    status: 503,
    description: 'Google login not configured (JSON naming what is missing)',
  })
  async start(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { state, authorizationUrl } = await this.google.begin(req);
    res.cookie(STATE_COOKIE, state, { ...this.cookieOptions(), maxAge: OAUTH_STATE_TTL_MS });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, authorizationUrl);
  }

  /**
   * Google (browser redirect). Session mode answers with the success page showing the VERIFIED
   * code; traditional mode redirects to FRONTEND_URL with the tokens in the fragment, or without
   * FRONTEND_URL to the web app's dashboard, signed in by its refresh cookie.
   */
  @Get(['api/auth/google/callback', 'auth/google/callback'])
  @ApiOperation({ summary: 'Google redirects here after the login' })
  @ApiResponse({ status: 200, description: 'Success page (HTML) with the VERIFIED code' })
  @ApiResponse({
    status: 302,
    description: 'To FRONTEND_URL#access_token=…, or to /dashboard with the refresh cookie',
  })
  @ApiResponse({
    status: 400,
    description: 'Missing, unknown, mismatched or replayed state (HTML)',
  })
  @ApiResponse({
    status: 403,
    description: 'Login cancelled at Google, or account disabled (HTML)',
  })
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const cookieState = readCookie(req, STATE_COOKIE);
    res.clearCookie(STATE_COOKIE, this.cookieOptions());
    const outcome = await this.google.complete(req, cookieState, {
      ip: req.ip,
      userAgent: req.headers['user-agent'],
    });
    switch (outcome.mode) {
      case 'session':
        return sendSuccessPage(res, {
          code: outcome.code,
          returnTo: outcome.returnTo,
          email: outcome.email,
          client: outcome.client,
          unclaimedTtlMinutes: this.config.session.unclaimedTtlMinutes,
        });
      case 'app':
        setRefreshCookie(req, res, outcome.refreshToken, this.config.auth.refreshTokenTtlSeconds);
        res.setHeader('Cache-Control', 'no-store');
        return res.redirect(302, '/dashboard');
      case 'redirect':
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Referrer-Policy', 'no-referrer');
        return res.redirect(302, outcome.url);
    }
  }
}
