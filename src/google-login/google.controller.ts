import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/http/error-response.dto';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { GoogleLoginCookies, readCookie } from './cookies';
import { GoogleLoginService } from './google-login.service';
import { GooglePageFilter } from './google-page.filter';
import { OAUTH_STATE_TTL_MS } from './oauth-state.service';
import { setRefreshCookie } from '../auth/browser/browser-cookie';
import { sendSuccessPage } from './pages';

/** The browser id cookie outlives any pending login it may bind. */
const BROWSER_COOKIE_MS = 30 * 86_400_000;
const HTML = { 'text/html': { schema: { type: 'string' } } };
const ENVELOPE = { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } };

/**
 * Google login, opened in a browser by anyone (a third party sends its user here). Served under
 * /api/auth/google and, like the older gateway, /auth/google.
 */
@ApiTags('auth')
@Controller()
@UseFilters(GooglePageFilter)
export class GoogleController {
  private readonly cookies: GoogleLoginCookies;

  constructor(
    private readonly google: GoogleLoginService,
    private readonly config: AppConfig,
  ) {
    this.cookies = new GoogleLoginCookies(config.auth.google.callbackUrl);
  }

  /** Anyone (browser). Remembers the request under a new state cookie and redirects to Google. */
  @Get(['api/auth/google', 'auth/google'])
  @ApiOperation({ summary: 'Start a Google login (session mode with ?session=…)' })
  @ApiQuery({ name: 'session', required: false, description: "The third party's session id" })
  @ApiQuery({ name: 'return_to', required: false, enum: ['chatgpt', 'api', 'oauth'] })
  @ApiQuery({
    name: 'interaction',
    required: false,
    description: 'With return_to=oauth: the OAuth sign-in page to return to',
  })
  @ApiResponse({ status: 302, description: 'To Google' })
  @ApiResponse({
    status: 400,
    description:
      'Malformed session or unknown return_to (HTML page); a malformed request header is refused before the page, as the JSON error',
    content: { ...HTML, ...ENVELOPE },
  })
  @ApiResponse({
    status: 429,
    description: 'Too many unfinished logins from this IP (HTML)',
    content: HTML,
  })
  @ApiResponse({
    status: 503,
    description: 'Google login not configured (a page for browsers, JSON naming what is missing)',
    content: { ...HTML, ...ENVELOPE },
  })
  async start(@Req() req: Request, @Res() res: Response): Promise<void> {
    const start = this.google.parseStart(req);
    const browserHash = this.cookies.browserHash(req, res, BROWSER_COOKIE_MS);
    const { state, authorizationUrl } = await this.google.begin(req, start, browserHash);
    res.cookie(this.cookies.state, state, this.cookies.options(OAUTH_STATE_TTL_MS));
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
  @ApiResponse({
    status: 200,
    description: 'Success page (HTML) with the VERIFIED code',
    content: HTML,
  })
  @ApiResponse({
    status: 302,
    description:
      'To FRONTEND_URL#access_token=…, to /dashboard with the refresh cookie, or (return_to=oauth) back to the OAuth sign-in page with a sign-in ticket',
  })
  @ApiResponse({
    status: 400,
    description:
      'Missing, unknown, mismatched or replayed state (HTML); a malformed request header is refused before the page, as the JSON error',
    content: { ...HTML, ...ENVELOPE },
  })
  @ApiResponse({
    status: 401,
    description: 'Google did not accept the code or its answer was unusable (HTML)',
    content: HTML,
  })
  @ApiResponse({
    status: 403,
    description:
      'Login cancelled at Google, Google has not verified the email, or account disabled (HTML)',
    content: HTML,
  })
  @ApiResponse({
    status: 409,
    description: "The email's account is linked to another Google account (HTML)",
    content: HTML,
  })
  @ApiResponse({
    status: 410,
    description: 'A reload: the result was already shown (HTML)',
    content: HTML,
  })
  @ApiResponse({
    status: 503,
    description:
      'Google login not configured or the database away (a page for browsers, JSON for scripts)',
    content: { ...HTML, ...ENVELOPE },
  })
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const cookieState = readCookie(req, this.cookies.state);
    res.clearCookie(this.cookies.state, this.cookies.options());
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
          claim: outcome.claim,
          unclaimedTtlMinutes: this.config.session.unclaimedTtlMinutes,
        });
      case 'app':
        setRefreshCookie(req, res, outcome.refreshToken, this.config.auth.refreshTokenTtlSeconds);
        res.setHeader('Cache-Control', 'no-store');
        return res.redirect(302, '/dashboard');
      case 'redirect':
      case 'oauth':
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Referrer-Policy', 'no-referrer');
        return res.redirect(302, outcome.url);
    }
  }
}
