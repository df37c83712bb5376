import type { Request } from 'express';
import type { Strategy } from 'passport';

export type StrategyOutcome =
  | { type: 'redirect'; url: string }
  | { type: 'success'; user: unknown }
  | { type: 'fail'; challenge: unknown; status?: number };

interface StrategyActions {
  authenticate(req: Request, options: object): void;
  redirect(url: string): void;
  success(user: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
  pass(): void;
}

/**
 * Runs one passport strategy step and reports how it ended, the way `passport.authenticate`
 * drives a strategy, but as a promise: the caller decides what to send (a redirect, a page, an
 * error page) instead of passport writing to the response, and the promise always settles
 * (`AuthGuard` never settles when the strategy redirects).
 */
export function runStrategy(
  strategy: Strategy,
  req: Request,
  options: object,
): Promise<StrategyOutcome> {
  return new Promise<StrategyOutcome>((resolve, reject) => {
    const attempt = Object.create(strategy) as StrategyActions;
    attempt.redirect = (url) => resolve({ type: 'redirect', url });
    attempt.success = (user) => resolve({ type: 'success', user });
    attempt.fail = (challenge, status) => resolve({ type: 'fail', challenge, status });
    attempt.error = (error) => reject(error instanceof Error ? error : new Error(String(error)));
    attempt.pass = () => reject(new Error('The strategy passed without a decision'));
    attempt.authenticate(req, options);
  });
}
