import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RateLimitedError } from '../rate-limit/rate-limiter.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { equalSecrets, randomToken, sha256Hex } from '../auth/secrets';
import { GoogleLoginStatesRepository } from './google-login-states.repository';
import { GoogleLoginShownError, InvalidOAuthStateError } from './google.errors';

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** What the login remembers between the redirect to Google and the callback. */
export interface PendingGoogleLogin {
  /** The third party's session id (session mode); absent in traditional mode. */
  session?: string;
  returnTo: string;
  /** SHA-256 of the starting browser's login cookie (binds the third party's claim, S-12). */
  browserHash: string;
}

/**
 * OAuth `state`: 256 random bits, single use, 10 minutes, kept in PostgreSQL under its hash with
 * `session`/`return_to` (so Google login works while Redis is down, issue 13 item 3). The browser
 * holds the same value in an HttpOnly cookie, so a callback only counts in the browser that
 * started it. A used state is kept until it expires, so a reload of the callback page says the
 * result was already shown instead of "login failed". The PKCE verifier (S256) is derived from
 * the state with a server secret: nothing more to store.
 */
@Injectable()
export class OAuthStateService {
  constructor(
    private readonly states: GoogleLoginStatesRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** 429 (S-20) when this IP already has GOOGLE_LOGIN_PENDING_PER_IP logins in flight. */
  async create(login: PendingGoogleLogin, ip: string | undefined): Promise<string> {
    const state = randomToken();
    const now = this.clock.now();
    const outcome = await this.states.insertWithinLimit(
      {
        stateHash: sha256Hex(state),
        thirdPartySessionId: login.session ?? null,
        returnTo: login.returnTo,
        browserHash: login.browserHash,
        ip: ip ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_MS),
      },
      this.config.auth.google.pendingPerIp,
    );
    if (!outcome.inserted) {
      const seconds = Math.ceil((outcome.freeAt.getTime() - now.getTime()) / 1000);
      throw new RateLimitedError(
        Math.max(1, seconds),
        'Too many Google logins started from this address; finish one or try again later',
      );
    }
    return state;
  }

  /** The PKCE code verifier of a state (RFC 7636: 43 characters of base64url). */
  codeVerifier(state: string): string {
    return createHmac('sha256', this.config.jwt.secret)
      .update(`google-pkce:${state}`)
      .digest('base64url');
  }

  /** Checks the callback's state against the cookie and uses it up; throws when it does not hold. */
  async consume(
    fromQuery: string | undefined,
    fromCookie: string | undefined,
  ): Promise<PendingGoogleLogin> {
    if (!fromQuery) throw new InvalidOAuthStateError('missing');
    const hash = sha256Hex(fromQuery);
    if (!fromCookie) {
      const shown = await this.states.findUsed(hash);
      if (shown) throw new GoogleLoginShownError(retryUrl(toPending(shown)));
      throw new InvalidOAuthStateError('missing');
    }
    if (!equalSecrets(fromQuery, fromCookie)) throw new InvalidOAuthStateError('mismatched');
    const stored = await this.states.use(hash, this.clock.now());
    if (!stored) throw new InvalidOAuthStateError('unknown');
    if (stored.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new InvalidOAuthStateError('expired');
    }
    return toPending(stored);
  }

  /** Housekeeping: expired states go (used ones with them: a reload then says "expired"). */
  pruneExpired(): Promise<number> {
    return this.states.pruneExpired(this.clock.now());
  }
}

function toPending(stored: {
  thirdPartySessionId: string | null;
  returnTo: string;
  browserHash: string;
}): PendingGoogleLogin {
  return {
    session: stored.thirdPartySessionId ?? undefined,
    returnTo: stored.returnTo,
    browserHash: stored.browserHash,
  };
}

/** Where "start again" leads: the same login, from the start. */
export function retryUrl(pending: { session?: string; returnTo: string }): string {
  const params = new URLSearchParams();
  if (pending.session) {
    params.set(pending.returnTo === 'oauth' ? 'interaction' : 'session', pending.session);
  }
  params.set('return_to', pending.returnTo);
  return `/api/auth/google?${params.toString()}`;
}
