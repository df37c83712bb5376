import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { GrantsService } from '../grants/grants.service';
import type { PendingLoginOutcome } from '../session/pending-login';
import { SessionService } from '../session/session.service';
import { AuthService } from '../auth/auth.service';
import { GoogleAccountsService } from './google-accounts.service';
import {
  GoogleAccessDeniedError,
  GoogleLoginFailedError,
  GoogleNotConfiguredError,
  InvalidLoginRequestError,
} from './google.errors';
import { GoogleIdentity, GoogleStrategy } from './google.strategy';
import { OAuthStateService, retryUrl } from './oauth-state.service';
import { RETURN_TO_TARGETS, ReturnTo } from './pages';
import { runStrategy } from './run-strategy';
import { THIRD_PARTY_SESSION_ID } from '../session/session-token';
import { LoginTicketService, oauthInteractionAudience } from '../auth/login-ticket.service';

/** What an implicit grant lets an integration do: read and spend the user's credits. */
const IMPLICIT_GRANT_SCOPES = ['credits:read', 'credits:spend'];

export type GoogleLoginOutcome =
  | {
      mode: 'session';
      code: string;
      returnTo: ReturnTo;
      email: string;
      claim: PendingLoginOutcome;
    }
  | { mode: 'redirect'; url: string }
  /** No FRONTEND_URL: the served web app, signed in through its refresh cookie. */
  | { mode: 'app'; refreshToken: string }
  /** Started from an OAuth authorization's sign-in page: back to it with a sign-in ticket. */
  | { mode: 'oauth'; url: string };

/** `return_to=oauth`: the Google login of an OAuth authorization's sign-in page. */
export const OAUTH_RETURN = 'oauth';
/** oidc-provider's interaction ids (nanoid). */
const INTERACTION_ID = /^[A-Za-z0-9_-]{10,64}$/;

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidLoginRequestError(`${name} must be given once`);
  return value;
}

/**
 * The Google login from start to finish: validate the request, remember it under a fresh state,
 * send the browser to Google; on the callback check the state, let the passport strategy
 * exchange the code and read userinfo, find or create the account, and hand over either a
 * VERIFIED session (session mode) or a JWT pair (traditional mode).
 */
@Injectable()
export class GoogleLoginService {
  private readonly logger = new Logger(GoogleLoginService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly strategy: GoogleStrategy,
    private readonly states: OAuthStateService,
    private readonly accounts: GoogleAccountsService,
    private readonly sessions: SessionService,
    private readonly auth: AuthService,
    private readonly grants: GrantsService,
    private readonly tickets: LoginTicketService,
  ) {}

  assertConfigured(): void {
    const missing = this.config.auth.google.missing;
    if (missing.length > 0) throw new GoogleNotConfiguredError(missing);
  }

  /** The start request's `session`/`return_to`, validated (400 page otherwise). */
  parseStart(req: Request): { session?: string; returnTo: string } {
    this.assertConfigured();
    const returnTo = queryString(req, 'return_to') ?? 'chatgpt';
    if (returnTo === OAUTH_RETURN) {
      // The OAuth interaction to return to rides in the state's session column; no claim is
      // registered for it.
      const interaction = queryString(req, 'interaction');
      if (interaction === undefined || !INTERACTION_ID.test(interaction)) {
        throw new InvalidLoginRequestError('interaction must name the OAuth sign-in to return to');
      }
      return { session: interaction, returnTo };
    }
    const session = queryString(req, 'session');
    if (session !== undefined && !THIRD_PARTY_SESSION_ID.test(session)) {
      throw new InvalidLoginRequestError(
        'session must be 1-128 characters of letters, digits and ._~-',
      );
    }
    if (!(RETURN_TO_TARGETS as readonly string[]).includes(returnTo)) {
      throw new InvalidLoginRequestError(
        `return_to must be one of ${RETURN_TO_TARGETS.join(', ')}`,
      );
    }
    return { session, returnTo };
  }

  /**
   * Remembers a parsed start under a new state and returns Google's authorization URL with its
   * PKCE challenge (S256). `browserHash` identifies the starting browser (S-12).
   */
  async begin(
    req: Request,
    { session, returnTo }: { session?: string; returnTo: string },
    browserHash: string,
  ): Promise<{ state: string; authorizationUrl: string }> {
    const state = await this.states.create({ session, returnTo, browserHash }, req.ip);
    if (session && returnTo !== OAUTH_RETURN) {
      await this.sessions.registerPendingLogin(session, browserHash);
    }
    const step = await runStrategy(this.strategy, req, {
      state,
      session: false,
      prompt: 'select_account',
      codeVerifier: this.states.codeVerifier(state),
    });
    if (step.type !== 'redirect') throw new Error('The Google strategy did not redirect');
    return { state, authorizationUrl: step.url };
  }

  async complete(
    req: Request,
    cookieState: string | undefined,
    client: { ip?: string; userAgent?: string },
  ): Promise<GoogleLoginOutcome> {
    this.assertConfigured();
    const state = queryString(req, 'state');
    const pending = await this.states.consume(state, cookieState);
    const retry = retryUrl(pending);
    const error = queryString(req, 'error');
    if (error === 'access_denied') throw new GoogleAccessDeniedError(retry);
    if (error) throw new GoogleLoginFailedError(`Google answered ${error.slice(0, 64)}`, retry);
    if (!queryString(req, 'code')) throw new GoogleLoginFailedError('no authorization code', retry);

    const identity = await this.exchange(req, this.states.codeVerifier(state!), retry);
    const user = await this.accounts.findOrCreate(identity);

    if (pending.returnTo === OAUTH_RETURN && pending.session) {
      const uid = pending.session;
      const ticket = await this.tickets.issue(user.id, oauthInteractionAudience(uid));
      this.logger.log({ userId: user.id }, 'Google login: OAuth sign-in');
      return {
        mode: 'oauth',
        url: `/oauth/interaction/${uid}/google?${new URLSearchParams({ ticket }).toString()}`,
      };
    }
    if (pending.session) {
      const created = await this.sessions.createForUser({
        userId: user.id,
        returnTo: pending.returnTo,
        thirdPartySessionId: pending.session,
        ip: client.ip,
        userAgent: client.userAgent?.slice(0, 512),
      });
      const claim = await this.sessions.completePendingLogin(
        pending.session,
        user.id,
        pending.browserHash,
      );
      this.logger.log(
        { userId: user.id, sessionId: created.sessionId, claim: claim.state },
        'Google login: session',
      );
      // The integration that started this login (it is polling the claim) gets a grant with the
      // default caps, unless the user already gave it one.
      if (claim.state === 'bound' && claim.client) {
        await this.grants.grantImplicitly(user.id, claim.client, IMPLICIT_GRANT_SCOPES);
      }
      return {
        mode: 'session',
        code: created.token,
        returnTo: pending.returnTo as ReturnTo,
        email: user.email,
        claim,
      };
    }
    this.logger.log({ userId: user.id }, 'Google login: traditional');
    const frontendUrl = this.config.auth.frontendUrl;
    const pair = await this.auth.issueTokens(user);
    if (!frontendUrl) return { mode: 'app', refreshToken: pair.refresh_token };
    const url = new URL(frontendUrl);
    // The fragment never reaches a server or a Referer header, unlike the query.
    url.hash = new URLSearchParams({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      token_type: pair.token_type,
      expires_in: String(pair.expires_in),
    }).toString();
    return { mode: 'redirect', url: url.toString() };
  }

  /** The code exchange (with the PKCE verifier) and userinfo call, by passport-google-oauth20. */
  private async exchange(
    req: Request,
    codeVerifier: string,
    retryUrl: string,
  ): Promise<GoogleIdentity> {
    try {
      const step = await runStrategy(this.strategy, req, { session: false, codeVerifier });
      if (step.type === 'success') return step.user as GoogleIdentity;
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message },
        'Google token exchange or userinfo failed',
      );
    }
    throw new GoogleLoginFailedError('Google did not confirm the login', retryUrl);
  }
}
