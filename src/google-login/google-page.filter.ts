import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorBody } from '../common/http/error-response';
import { RequestWithId } from '../common/http/request-id';
import { GoogleLoginError } from './google.errors';
import { sendErrorPage } from './pages';

/**
 * The Google endpoints are opened in a browser, so failures are pages (Thai first, with a retry
 * link where it helps), with the status of the one error shape. A 503 ("not configured", the
 * database away) is a page for a browser and JSON for a script (`Accept`).
 */
@Catch()
export class GooglePageFilter implements ExceptionFilter {
  private readonly logger = new Logger('GoogleLogin');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { body, internal } = toErrorBody(exception, (req as RequestWithId).id ?? '');
    if (internal)
      this.logger.error({ err: exception, requestId: body.requestId }, 'Google login failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 503 && req.accepts(['json', 'html']) !== 'html') {
      res.status(503).json(body);
      return;
    }
    sendErrorPage(res, body.statusCode, {
      thai:
        exception instanceof GoogleLoginError
          ? exception.thai
          : 'เกิดข้อผิดพลาด กรุณาลองใหม่อีกครั้งภายหลัง',
      english: `${body.message} (request ${body.requestId})`,
      retryUrl: exception instanceof GoogleLoginError ? exception.retryUrl : undefined,
    });
  }
}
