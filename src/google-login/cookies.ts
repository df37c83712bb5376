import type { CookieOptions, Request, Response } from 'express';
import { randomToken, sha256Hex } from '../auth/secrets';
import { readCookie } from '../common/http/cookies';

export { readCookie };

/**
 * The Google login's two cookies, HttpOnly and SameSite=Lax (the callback is a cross-site
 * redirect from Google). When the public URL is https they are `Secure` and carry the `__Host-`
 * prefix (no Domain, path /: a sibling subdomain cannot plant or read them).
 * - the state cookie: the OAuth state, for this login only;
 * - the browser cookie: a random id of this browser, so a third party's pending login is bound
 *   to the browser that started it (S-12).
 */
export class GoogleLoginCookies {
  readonly state: string;
  readonly browser: string;
  private readonly secure: boolean;

  constructor(publicUrl: string | undefined) {
    this.secure = publicUrl?.startsWith('https:') ?? false;
    const prefix = this.secure ? '__Host-' : '';
    this.state = `${prefix}sah_oauth_state`;
    this.browser = `${prefix}sah_login_browser`;
  }

  options(maxAge?: number): CookieOptions {
    return { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/', maxAge };
  }

  /** This browser's id hash, giving the browser an id first when it has none. */
  browserHash(req: Request, res: Response, maxAgeMs: number): string {
    let id = readCookie(req, this.browser);
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) {
      id = randomToken();
      res.cookie(this.browser, id, this.options(maxAgeMs));
    }
    return sha256Hex(id);
  }
}
