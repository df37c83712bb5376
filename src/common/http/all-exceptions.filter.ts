import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../errors/database-unavailable';
import { RequestWithId, requestIdFrom } from './request-id';
import { toErrorBody } from './error-response';

/** The one place where failures become HTTP responses: JSON, never HTML or a stack trace. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { body, internal } = toErrorBody(
      exception,
      (req as RequestWithId).id ?? requestIdFrom(undefined),
    );
    if (internal) {
      this.logger.error({ err: exception, requestId: body.requestId }, 'Request failed');
    } else if (isDatabaseUnavailable(exception)) {
      const detail = exception instanceof Error ? exception.message : String(exception);
      this.logger.warn({ requestId: body.requestId, detail }, 'Database unavailable: answered 503');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (typeof body.retryAfterSeconds === 'number') {
      res.setHeader('Retry-After', String(body.retryAfterSeconds));
    }
    res.status(body.statusCode).json(body);
  }
}

/** Express error handler for failures before Nest's pipeline, e.g. body-parser's 400 and 413. */
export function middlewareErrorHandler(
  error: unknown,
  req: Request,
  res: Response,
  next: (err?: unknown) => void,
): void {
  if (res.headersSent) return next(error);
  const { body } = toErrorBody(error, (req as RequestWithId).id);
  res.status(body.statusCode).json(body);
}
