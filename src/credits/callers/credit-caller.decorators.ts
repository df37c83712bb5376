import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { validateIdempotencyKey } from '../idempotency/idempotency-key';
import type { CreditCaller } from './credit-caller';
import type { RequestWithCaller } from './credit-caller.guard';

/** The caller `CreditCallerGuard` resolved. */
export const Caller = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CreditCaller => {
    const caller = ctx.switchToHttp().getRequest<RequestWithCaller>().creditCaller;
    if (!caller) throw new Error('@Caller() used on a route without CreditCallerGuard');
    return caller;
  },
);

/** The `Idempotency-Key` header, checked for shape (400); undefined when absent. */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined => {
    const value = ctx.switchToHttp().getRequest<Request>().headers['idempotency-key'];
    return validateIdempotencyKey(Array.isArray(value) ? value[0] : value);
  },
);
