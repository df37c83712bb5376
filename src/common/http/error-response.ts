import { STATUS_CODES } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
} from '../errors/database-unavailable';
import { DomainError, DomainErrorKind } from '../errors/domain-error';

/** The one JSON error shape of the whole API; extra fields may follow the four fixed ones. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
  [extra: string]: unknown;
}

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  gone: HttpStatus.GONE,
  payment_required: HttpStatus.PAYMENT_REQUIRED,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Errors raised by body-parser and other connect middleware carry a status and `expose`. */
interface MiddlewareError {
  status: number;
  expose?: boolean;
  type?: string;
  message: string;
}

function isMiddlewareError(e: unknown): e is MiddlewareError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as MiddlewareError).status === 'number' &&
    (e as MiddlewareError).status >= 400 &&
    (e as MiddlewareError).status < 500
  );
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

const MIDDLEWARE_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'Malformed JSON in request body',
  'entity.too.large': 'Request body is too large',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
};

function fromHttpException(exception: HttpException, requestId: string): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') {
    return { statusCode: status, error: reason(status), message: response, requestId };
  }
  const { message, error, ...extra } = response as Record<string, unknown>;
  const text = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : exception.message;
  return {
    ...extra,
    statusCode: status,
    error: typeof error === 'string' ? error : reason(status),
    message: text,
    requestId,
  };
}

/**
 * Maps any thrown value to the error shape. `internal` is true for a fault of the server that
 * deserves a stack in the log; a database outage is a 503 the filter logs briefly instead.
 */
export function toErrorBody(
  exception: unknown,
  requestId: string,
): { body: ErrorBody; internal: boolean } {
  if (exception instanceof HttpException) {
    const body = fromHttpException(exception, requestId);
    return { body, internal: body.statusCode >= 500 };
  }
  if (exception instanceof DomainError) {
    const status = STATUS_BY_KIND[exception.kind];
    return {
      body: {
        ...exception.details,
        statusCode: status,
        error: exception.errorLabel ?? reason(status),
        message: exception.message,
        requestId,
      },
      internal: status >= 500,
    };
  }
  if (isMiddlewareError(exception)) {
    const message =
      (exception.type && MIDDLEWARE_MESSAGES[exception.type]) ??
      (exception.expose ? exception.message : reason(exception.status));
    return {
      body: { statusCode: exception.status, error: reason(exception.status), message, requestId },
      internal: false,
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      body: {
        statusCode: 503,
        error: reason(503),
        message: 'The database is unavailable; retry shortly',
        requestId,
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      },
      internal: false,
    };
  }
  return {
    body: { statusCode: 500, error: reason(500), message: 'Internal server error', requestId },
    internal: true,
  };
}
