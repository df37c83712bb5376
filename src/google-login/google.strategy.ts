import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Profile, Strategy } from 'passport-google-oauth20';
import { AppConfig } from '../config/app-config';

/** What the callback learns from Google's userinfo endpoint. */
export interface GoogleIdentity {
  googleId: string;
  email: string | null;
  emailVerified: boolean;
  name: string;
}

// Placeholders keep passport-oauth2 constructible when Google is not configured; the controller
// answers 503 before the strategy is ever used then.
const UNCONFIGURED = 'unconfigured';

/**
 * passport-google-oauth20, with every endpoint overridable (GOOGLE_AUTHORIZATION_URL, …TOKEN_URL,
 * …USERINFO_URL) so tests and staging can point it at a local OAuth 2.0 server. State is ours:
 * `GoogleLoginService` creates and checks it, the strategy only passes it through.
 */
@Injectable()
export class GoogleStrategy extends PassportStrategy(Strategy, 'google') {
  constructor(config: AppConfig) {
    const google = config.auth.google;
    super({
      clientID: google.clientId ?? UNCONFIGURED,
      clientSecret: google.clientSecret ?? UNCONFIGURED,
      callbackURL: google.callbackUrl ?? `http://${UNCONFIGURED}.invalid/`,
      authorizationURL: google.authorizationUrl,
      tokenURL: google.tokenUrl,
      userProfileURL: google.userInfoUrl,
      scope: ['openid', 'email', 'profile'],
    });
  }

  /** PKCE (S256): the authorization request carries the challenge of the state's verifier… */
  override authorizationParams(options: { codeVerifier?: string }): object {
    const params = super.authorizationParams(options) as Record<string, string>;
    if (!options.codeVerifier) return params;
    return {
      ...params,
      code_challenge: createHash('sha256').update(options.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
  }

  /** …and the code exchange the verifier itself. */
  override tokenParams(options: { codeVerifier?: string }): object {
    const params = super.tokenParams(options) as Record<string, string>;
    return options.codeVerifier ? { ...params, code_verifier: options.codeVerifier } : params;
  }

  validate(_accessToken: string, _refreshToken: string, profile: Profile): GoogleIdentity {
    const json = profile._json as { email?: string; email_verified?: boolean | string };
    const email = json.email ?? profile.emails?.[0]?.value ?? null;
    return {
      googleId: profile.id,
      email: email ? email.toLowerCase() : null,
      emailVerified: json.email_verified === true || json.email_verified === 'true',
      name: (profile.displayName || email?.split('@')[0] || 'Google user').slice(0, 200),
    };
  }
}
