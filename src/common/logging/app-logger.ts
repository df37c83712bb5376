import type { LoggerService } from '@nestjs/common';
import type { RequestHandler } from 'express';
import pino, { DestinationStream, Level, Logger } from 'pino';
import {
  accessLogLevel,
  accessLogRequest,
  baseLoggerOptions,
  skipsAccessLog,
} from './logger-options';

/**
 * Nest's start-up detail, one line per module and per route (about a hundred): at debug, so the
 * info log of a start says what matters (listening, warnings about the configuration).
 */
const START_UP_DETAIL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * Nest's logger on pino, one JSON line per entry. Services write `logger.warn({ fields },
 * 'message')` or `logger.warn('message')`; Nest passes the logger's name last, which becomes
 * `context`. Request-scoped lines say which request they belong to with `req: { id }` (the
 * access line's field) themselves: nothing is bound per request behind the scenes.
 */
export class AppLogger implements LoggerService {
  readonly root: Logger;

  constructor(level: string, destination?: DestinationStream) {
    this.root = destination
      ? pino(baseLoggerOptions(level), destination)
      : pino(baseLoggerOptions(level));
  }

  /**
   * The access log: one line per HTTP request with its id, method, URL, status and time, when
   * it ends (finished or cut): `info`, `warn` for 4xx, `error` for 5xx. Nothing is built for a
   * line the level drops, so at LOG_LEVEL=warn a successful request costs two listeners.
   */
  httpMiddleware(): RequestHandler {
    const root = this.root;
    return (req, res, next) => {
      if (skipsAccessLog(req)) return next();
      const started = Date.now();
      const done = (err?: Error) => {
        res.off('finish', done);
        res.off('close', done);
        res.off('error', done);
        const level = accessLogLevel(res.statusCode, err);
        if (!root.isLevelEnabled(level)) return;
        const fields = {
          req: accessLogRequest(req),
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - started,
        };
        if (level === 'error') {
          const error = err ?? new Error(`failed with status code ${res.statusCode}`);
          root.error({ ...fields, err: error }, 'request errored');
        } else {
          root[level](fields, 'request completed');
        }
      };
      res.on('finish', done);
      res.on('close', done);
      res.on('error', done);
      next();
    };
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    const startUpDetail = typeof context === 'string' && START_UP_DETAIL.has(context);
    this.write(startUpDetail ? 'debug' : 'info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = params.length > 0 ? params.slice(0, -1) : [];
    if (params.length > 0) fields.context = params[params.length - 1];
    if (message instanceof Error) {
      fields.err = message;
      this.root[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
      this.root[level](fields, ...(rest as [string]));
    } else if (level === 'error' && typeof rest[0] === 'string' && /\n\s*at /.test(rest[0])) {
      // Nest's own exception handlers call error(message, stack, context).
      const err = new Error(String(message));
      err.stack = rest[0];
      this.root[level]({ ...fields, err }, String(message));
    } else {
      this.root[level](fields, String(message), ...rest);
    }
  }
}
