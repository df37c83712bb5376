import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isIP } from 'node:net';
import { isPlainJsonType, jsonBody } from './json-body';

/**
 * Where request input enters the app: one rule for every route, before any DTO sees it.
 *
 * - A body is JSON or nothing: a body of another type → 415 naming what was sent.
 * - Bodies are small unless the route needs more and the request carries a credential
 *   (`largeBodyRoutes`); larger → 413 from the parser.
 * - The client address (after TRUST_PROXY) is an IP address: a forged `X-Forwarded-For` entry
 *   that a trusted proxy passed on → 400, before it reaches a limit key or an `inet` column.
 * - Every string and every key of the body and the query is valid text for PostgreSQL: no NUL
 *   (U+0000), no unpaired UTF-16 surrogate; nesting at most `maxDepth` → 400 naming the field.
 *   (PostgreSQL refuses NUL in text and jsonb, and lone surrogates in jsonb, with a 500 otherwise;
 *   a 3,000-deep array made class-transformer recurse until it threw.)
 */
export interface InputGuardOptions {
  /** Body limit of every route (bytes or e.g. `16kb`). */
  bodyLimit: string;
  /** Body limit of `largeBodyRoutes` for requests that carry a credential header. */
  largeBodyLimit: string;
  /** Path prefixes whose requests may be larger, e.g. `/api/admin/`. */
  largeBodyRoutes: readonly string[];
  maxDepth: number;
}

export class InputRejected extends Error {
  constructor(
    readonly status: 400 | 415,
    message: string,
  ) {
    super(message);
  }
  /** Read by the middleware error handler: the message is meant for the client. */
  readonly expose = true;
}

const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-session-token'];

function describe(path: string): string {
  return path === '' ? 'the request body' : `"${path}"`;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Why a text is refused, or undefined when it is fine. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  }
  return undefined;
}

/**
 * The first problem of a parsed JSON value (or query object) as a client-facing sentence naming
 * the field, or undefined. Depth counts objects and arrays: `{}` is 1, `{"a": []}` is 2.
 */
export function findInputProblem(
  value: unknown,
  maxDepth: number,
  root: string,
): string | undefined {
  const visit = (node: unknown, path: string, depth: number): string | undefined => {
    if (typeof node === 'string') {
      const problem = textProblem(node);
      return problem && `${root} field ${describe(path)} ${problem}`;
    }
    if (typeof node !== 'object' || node === null) return undefined;
    if (depth + 1 > maxDepth) {
      return `${root} is nested deeper than ${maxDepth} levels (at ${describe(path)})`;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const problem = visit(node[i], join(path, i), depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    for (const [key, child] of Object.entries(node)) {
      const keyProblem = textProblem(key);
      if (keyProblem) {
        return `${root} key ${JSON.stringify(key.replace(/\0/g, '\\0'))} in ${describe(path)} ${keyProblem}`;
      }
      const problem = visit(child, join(path, key), depth + 1);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(value, '', 0);
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function inputGuard(options: InputGuardOptions): RequestHandler[] {
  const small = jsonBody(options.bodyLimit);
  const large = jsonBody(options.largeBodyLimit);
  const mayBeLarge = (req: Request) =>
    options.largeBodyRoutes.some((prefix) => req.path.startsWith(prefix)) &&
    CREDENTIAL_HEADERS.some((header) => req.headers[header] !== undefined);

  const contentType = (req: Request, _res: Response, next: NextFunction) => {
    const sent = req.headers['content-type'];
    if (
      req.path.startsWith('/api/') &&
      hasBody(req) &&
      !isPlainJsonType(sent) &&
      !req.is('application/json')
    ) {
      return next(
        new InputRejected(
          415,
          `Request bodies must be JSON: send Content-Type: application/json (got ${sent ? JSON.stringify(sent) : 'no Content-Type'})`,
        ),
      );
    }
    next();
  };
  const parse = (req: Request, res: Response, next: NextFunction) =>
    (mayBeLarge(req) ? large : small)(req, res, next);
  const check = (req: Request, _res: Response, next: NextFunction) => {
    const pathProblem = /%00/i.test(req.path) ? 'The URL path contains a NUL character' : undefined;
    const problem =
      pathProblem ??
      findInputProblem(req.query, options.maxDepth, 'Query') ??
      (req.body === undefined ? undefined : findInputProblem(req.body, options.maxDepth, 'Body'));
    next(problem ? new InputRejected(400, problem) : undefined);
  };
  const clientAddress = (req: Request, _res: Response, next: NextFunction) => {
    const ip = req.ip;
    next(
      ip !== undefined && isIP(ip) === 0
        ? new InputRejected(400, 'X-Forwarded-For does not name a valid client IP address')
        : undefined,
    );
  };
  return [clientAddress, contentType, parse, check];
}
