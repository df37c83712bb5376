import { Injectable } from '@nestjs/common';
import { RateLimitedError, RateLimiterService } from '../common/rate-limit/rate-limiter.service';
import { AppConfig } from '../config/app-config';

export type AuthAction =
  | 'login'
  | 'register'
  | 'verify-email'
  | 'resend-verification'
  | 'forgot-password'
  | 'reset-password';

const MESSAGE = 'Too many attempts, try again later';

/**
 * The guessable auth endpoints, limited per client IP (AUTH_RATE_LIMIT_PER_IP) and per email
 * address (AUTH_RATE_LIMIT_PER_EMAIL) within AUTH_RATE_LIMIT_WINDOW → 429 with Retry-After.
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

  private emailKey(action: AuthAction, email: string): string {
    return `auth:${action}:email:${email.trim().toLowerCase()}`;
  }

  private async hit(key: string, limit: number): Promise<void> {
    const decision = await this.limiter.consume(key, limit, this.limits.windowMs);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, MESSAGE);
  }

  /** Counts one attempt from this IP and for this email; throws past either limit. */
  async attempt(action: AuthAction, ip: string, email: string): Promise<void> {
    await this.hit(`auth:${action}:ip:${ip}`, this.limits.perIp);
    await this.hit(this.emailKey(action, email), this.limits.perEmail);
  }

  /** Login: every attempt counts per IP; per email only failures count (see loginFailed). */
  async loginAttempt(ip: string, email: string): Promise<void> {
    await this.hit(`auth:login:ip:${ip}`, this.limits.perIp);
    const locked = await this.limiter.isExceeded(
      this.emailKey('login', email),
      this.limits.perEmail,
    );
    if (locked.exceeded) throw new RateLimitedError(locked.retryAfterSeconds, MESSAGE);
  }

  async loginFailed(email: string): Promise<void> {
    await this.limiter.consume(
      this.emailKey('login', email),
      this.limits.perEmail,
      this.limits.windowMs,
    );
  }

  async loginSucceeded(email: string): Promise<void> {
    await this.limiter.reset(this.emailKey('login', email));
  }
}
