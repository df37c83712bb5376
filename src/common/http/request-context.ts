import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { RequestWithId } from './request-id';

/** The request's id and client IP, as audit rows and request-scoped log lines record them. */
export interface RequestContext {
  requestId: string;
  ip: string;
}

/**
 * Read from the request and passed down explicitly, not kept in an AsyncLocalStorage: on Node 20
 * that installs a hook on every promise of the process, which cost the chat gateway about 8% of
 * its CPU (BENCHMARKS.md).
 */
export function requestContextOf(req: Request): RequestContext {
  return { requestId: (req as RequestWithId).id, ip: req.ip ?? '' };
}

/** The current request's id and client IP, as a controller parameter. */
export const CurrentRequest = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): RequestContext =>
    requestContextOf(ctx.switchToHttp().getRequest<Request>()),
);
