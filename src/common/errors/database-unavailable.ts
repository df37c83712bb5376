/**
 * Whether a thrown value means "PostgreSQL cannot be reached right now" rather than a bug: the
 * request may succeed if retried, so it is answered 503 with Retry-After instead of 500.
 *
 * - socket errors of the pg driver (refused, reset, timed out, host unreachable);
 * - SQLSTATE class 08 (connection exception), 57P01/57P02 (terminated by an administrator or a
 *   crash), 57P03 (cannot connect now: starting up or shutting down), 53300 (too many clients);
 * - node-postgres' own texts for a pool wait that timed out or a connection that went away;
 * - TypeORM's Query(Runner|RunnerProvider)AlreadyReleasedError: its query runner releases itself when its
 *   connection errors (PostgreSQL terminated it), so the transaction's next statement gets this.
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const ERROR_NAMES = new Set([
  'QueryRunnerProviderAlreadyReleasedError',
  'QueryRunnerAlreadyReleasedError',
]);
const DRIVER_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** Seconds a client is told to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { name, code, message, driverError, cause, errors } = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof name === 'string' && ERROR_NAMES.has(name)) return true;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code))) return true;
  if (typeof code === 'string' && /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((m) => message.includes(m))) return true;
  // AggregateError (a host with several addresses), TypeORM's wrapper, an Error's cause.
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}
