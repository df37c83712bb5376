import { parse as parseBytes } from 'bytes';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';

/** A JSON body in UTF-8 (the charset JSON is sent in), so read as it is. */
const PLAIN_JSON = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

/** What body-parser's errors carry, so the error handler answers them the same way. */
class BodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: 400 | 413,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** `application/json`, in UTF-8 if a charset is named: what API clients send. */
export function isPlainJsonType(type: string | undefined): boolean {
  return type !== undefined && PLAIN_JSON.test(type);
}

/** Whether the request is a plain JSON body of a stated length: the one the fast path reads. */
function isPlainJsonRequest(req: Request): boolean {
  const encoding = req.headers['content-encoding'];
  return (
    isPlainJsonType(req.headers['content-type']) &&
    req.headers['content-length'] !== undefined &&
    req.headers['transfer-encoding'] === undefined &&
    (encoding === undefined || encoding.toLowerCase() === 'identity')
  );
}

/**
 * The JSON parser with body-parser's rules (`limit`, strict: an object or an array, an empty
 * body is `{}`, a leading BOM ignored) and its errors. A plain UTF-8 JSON body of a stated
 * length, what every API client sends, is read straight from the request's chunks; anything else
 * (chunked, compressed, another charset) goes to body-parser. Its stream, decoder and type
 * checks cost a money request ~5% of the server's CPU (BENCHMARKS.md, issue 14).
 */
export function jsonBody(limit: string): RequestHandler {
  const fallback = json({ limit });
  const maxBytes = parseBytes(limit);
  if (maxBytes === null) throw new TypeError(`Invalid body limit "${limit}"`);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isPlainJsonRequest(req)) return fallback(req, res, next);
    const length = Number(req.headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0) return fallback(req, res, next);
    if (length === 0) return next();
    if (length > maxBytes) {
      return refuse(req, next, new BodyError(413, 'entity.too.large', 'request entity too large'));
    }
    readBody(req, length, (error, text) => {
      if (error) return refuse(req, next, error);
      try {
        req.body = parseStrict(text!);
      } catch {
        return next(new BodyError(400, 'entity.parse.failed', 'Malformed JSON in request body'));
      }
      next();
    });
  };
}

/** As body-parser does: the rest of the body is read and dropped before the error is answered. */
function refuse(req: Request, next: NextFunction, error: Error): void {
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    next(error);
  };
  req.resume();
  if (req.complete || req.destroyed) return answer();
  req.once('end', answer);
  req.once('close', answer);
}

const sizeMismatch = () =>
  new BodyError(400, 'request.size.invalid', 'request size did not match content length');

/** The body's bytes as UTF-8 text, or why it could not be read whole. */
function readBody(req: Request, length: number, done: (error?: Error, text?: string) => void) {
  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (error?: Error) => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('aborted', onAborted);
    if (error) return done(error);
    done(undefined, Buffer.concat(chunks, received).toString('utf8'));
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > length) return finish(sizeMismatch());
    chunks.push(chunk);
  };
  const onEnd = () => finish(received === length ? undefined : sizeMismatch());
  const onAborted = () => finish(new BodyError(400, 'request.aborted', 'request aborted'));
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
}

/**
 * JSON.parse with body-parser's strict rule: the body is an object or an array (an empty body is
 * `{}`); a leading byte-order mark is ignored, as its decoder does.
 */
export function parseStrict(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  // Other leading whitespace than JSON's is refused by JSON.parse, so trimStart() may take it.
  const first = body.trimStart()[0];
  if (first !== '{' && first !== '[') throw new SyntaxError('not an object or an array');
  return JSON.parse(body) as unknown;
}
