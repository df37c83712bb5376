import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { RequestWithId } from './request-id';

export interface RequestContext {
  requestId: string;
  ip: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The current request's id and client IP, for records written deep inside services (audit rows). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * Enters the request's context. Registered after the body parser: stream callbacks would
 * otherwise run outside it.
 */
export function requestContextMiddleware(req: Request, _res: Response, next: NextFunction): void {
  storage.run({ requestId: (req as RequestWithId).id, ip: req.ip ?? '' }, next);
}
