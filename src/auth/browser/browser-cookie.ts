import type { Request, Response } from 'express';
import { CrossOriginRequestError } from '../auth.errors';
import { readCookie } from '../../common/http/cookies';

/** The browser app's refresh token: HttpOnly, SameSite=Strict, sent only to the two paths that use it. */
export const REFRESH_COOKIE = 'sah_refresh';
export const REFRESH_COOKIE_PATH = '/api/auth/browser';

function cookieOptions(req: Request) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: req.secure,
    path: REFRESH_COOKIE_PATH,
  };
}

export function setRefreshCookie(
  req: Request,
  res: Response,
  token: string,
  ttlSeconds: number,
): void {
  res.cookie(REFRESH_COOKIE, token, { ...cookieOptions(req), maxAge: ttlSeconds * 1000 });
}

export function clearRefreshCookie(req: Request, res: Response): void {
  res.clearCookie(REFRESH_COOKIE, cookieOptions(req));
}

export function readRefreshCookie(req: Request): string | undefined {
  return readCookie(req, REFRESH_COOKIE) || undefined;
}

/**
 * A request that a browser authenticates with the cookie must come from a page of this origin:
 * the Origin header (which browsers send on every POST) names this host.
 */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (!origin || origin !== `${req.protocol}://${req.get('host') ?? ''}`) {
    throw new CrossOriginRequestError();
  }
}
