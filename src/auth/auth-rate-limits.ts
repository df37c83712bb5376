import { Injectable } from '@nestjs/common';
import {
  BackoffPolicy,
  BackoffTicket,
  RateLimitedError,
  RateLimiterService,
} from '../rate-limit/rate-limiter.service';
import { AppConfig } from '../config/app-config';

export type AuthAction =
  | 'login'
  | 'register'
  | 'verify-email'
  | 'resend-verification'
  | 'forgot-password'
  | 'reset-password';

const MESSAGE = 'Too many attempts, try again later';

function emailKeyPart(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The guessable auth endpoints, limited per client IP (AUTH_RATE_LIMIT_PER_IP) and per email
 * address (AUTH_RATE_LIMIT_PER_EMAIL) within AUTH_RATE_LIMIT_WINDOW → 429 with Retry-After.
 * Login instead backs off per email and client IP (AUTH_LOGIN_BACKOFF): see LoginAttempt.
 * Emails are keyed lower-cased, so case variants share one counter.
 */
@Injectable()
export class AuthRateLimits {
  constructor(
    private readonly limiter: RateLimiterService,
    private readonly config: AppConfig,
  ) {}

  private get limits() {
    return this.config.auth.rateLimits;
  }

  private async hit(key: string, limit: number): Promise<void> {
    const decision = await this.limiter.consume(key, limit, this.limits.windowMs);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, MESSAGE);
  }

  /** Counts one attempt from this IP and for this email; throws past either limit. */
  async attempt(action: AuthAction, ip: string, email: string): Promise<void> {
    await this.hit(`auth:${action}:ip:${ip}`, this.limits.perIp);
    await this.hit(`auth:${action}:email:${emailKeyPart(email)}`, this.limits.perEmail);
  }

  /** A login from this IP: counted per IP at once (429 past AUTH_RATE_LIMIT_PER_IP). */
  async startLogin(ip: string, email: string): Promise<LoginAttempt> {
    const ipKey = `auth:login:ip:${ip}`;
    await this.hit(ipKey, this.limits.perIp);
    return new LoginAttempt(this.limiter, ipKey, `auth:login:pair:${emailKeyPart(email)}:${ip}`, {
      free: this.limits.perEmail,
      baseMs: this.limits.loginBackoffMs,
      maxMs: this.limits.loginBackoffMaxMs,
      forgetAfterMs: this.limits.windowMs,
    });
  }
}

/**
 * One login attempt (S-05, S-17). The password guess is taken atomically before the password is
 * checked (`takeGuess`), per email AND client IP under an exponential back-off, so parallel
 * guesses cannot all pass a check made before any was counted, and an attacker's guesses close
 * only their own address, never the owner's. A success forgets the pair; an attempt that failed
 * for a reason that was not a guess (e.g. the database is down) is given back whole.
 */
export class LoginAttempt {
  private ticket: BackoffTicket | null = null;

  constructor(
    private readonly limiter: RateLimiterService,
    private readonly ipKey: string,
    private readonly pairKey: string,
    private readonly policy: BackoffPolicy,
  ) {}

  /** 429 while this email and IP are backing off; else counts the guess. */
  async takeGuess(): Promise<void> {
    this.ticket = await this.limiter.takeBackoff(this.pairKey, this.policy, MESSAGE);
  }

  /** Runs `step`; if it throws, the attempt was not a guess and is given back. */
  async notAGuessIfThrows<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      await this.limiter.giveBack(this.ipKey);
      if (this.ticket) await this.limiter.giveBackBackoff(this.ticket);
      this.ticket = null;
      throw error;
    }
  }

  /** The right password: this email and IP start afresh. */
  succeeded(): Promise<void> {
    return this.limiter.reset(this.pairKey);
  }
}
