import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { static as serveStatic } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Where `npm run build` puts the web app (vite → dist/web): beside the compiled server in dist/,
 * and the same folder when the server runs from its TypeScript sources (the tests).
 */
export const WEB_APP_DIR = __filename.endsWith('.ts')
  ? resolve(__dirname, '..', '..', 'dist', 'web')
  : resolve(__dirname, '..', '..', 'web');

export const WEB_INDEX = join(WEB_APP_DIR, 'index.html');

/** Paths that are never the web app: the API, the server's own pages and its sockets. */
const SERVER_PATHS = /^\/(api|auth|health|metrics|socket\.io|mcp|oauth|\.well-known)(\/|$)/;

export function isServerPath(path: string): boolean {
  return SERVER_PATHS.test(path);
}

/**
 * The page's policy: scripts and styles only from this origin (Mantine's runtime CSS variables need
 * inline styles, never inline scripts), API and socket calls to this origin, no framing.
 */
export function webAppCsp(secure: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(secure ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Hashed bundles under /assets are immutable (a new build has new names); the rest revalidates. */
export function serveWebAppFiles(app: NestExpressApplication): void {
  if (!existsSync(WEB_INDEX)) return;
  app.useStaticAssets(join(WEB_APP_DIR, 'assets'), {
    prefix: '/assets',
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: false,
  });
  app.use(webAppFiles(WEB_APP_DIR));
}

/**
 * The web app's top-level files (favicon, manifest…), revalidated on every use. Server paths never
 * look there: each lookup is a `stat` on the thread pool, which every API `GET` (session checks,
 * balances, `/health`) paid before reaching its route.
 */
export function webAppFiles(dir: string): RequestHandler {
  const files = serveStatic(dir, {
    index: false,
    setHeaders: (res: Response) => res.setHeader('Cache-Control', 'no-cache'),
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isServerPath(req.path)) next();
    else files(req, res, next);
  };
}
