import type { IncomingMessage } from 'node:http';
import type { LoggerOptions } from 'pino';
import type { RequestWithId } from '../http/request-id';

/** Headers and query parameters that carry credentials; their values never reach a log line. */
const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-session-token'];
const SECRET_QUERY =
  /^(code|state|token|session_token|access_token|refresh_token|password|key|ticket|code_verifier|client_secret)$/i;

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of [...params.keys()]) {
    if (SECRET_QUERY.test(name)) params.set(name, '[REDACTED]');
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

export function baseLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        ...SECRET_HEADERS.map((h) => `req.headers["${h}"]`),
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.secret',
      ],
      censor: '[REDACTED]',
    },
  };
}

/** The access log's level for a finished request: errors, client errors, the rest. */
export function accessLogLevel(statusCode: number, err?: Error): 'error' | 'warn' | 'info' {
  return err || statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/** What the access log says of a request (never its headers or body). */
export function accessLogRequest(req: IncomingMessage & { originalUrl?: string }) {
  return {
    id: (req as unknown as RequestWithId).id,
    method: req.method,
    url: redactUrl(req.originalUrl ?? req.url ?? ''),
    remoteAddress: req.socket?.remoteAddress,
  };
}

/** Probes would drown the access log: one line every few seconds per balancer. */
export function skipsAccessLog(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith('/health');
}
