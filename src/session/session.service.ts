import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { AuthEvents } from '../auth/events/auth-events';
import { RefreshTokenService } from '../auth/refresh-token.service';
import type { LiveLogin } from '../auth/refresh-tokens.repository';
import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/http/request-context';
import { RateLimitedError, RateLimiterService } from '../rate-limit/rate-limiter.service';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { Session } from './entities/session.entity';
import { SessionCache } from './session-cache';
import {
  MalformedSessionTokenError,
  MissingSessionTokenError,
  OwnSessionNotFoundError,
  SessionExpiredError,
  SessionNotFoundError,
  SessionRevokedError,
} from './session.errors';
import type { PendingLoginOutcome } from './pending-login';
import { SessionRepository, SessionSnapshot } from './session.repository';
import { generateSessionToken, hashSessionToken, isWellFormedSessionToken } from './session-token';

// last_used_at is informational: one write a minute per session is plenty.
const TOUCH_INTERVAL_MS = 60_000;
const FAILURE_WINDOW_MS = 60_000;

export interface CreateSessionInput {
  userId: string;
  returnTo?: string;
  thirdPartySessionId?: string;
  clientName?: string;
  ip?: string;
  userAgent?: string;
}

export interface CreatedSession {
  token: string;
  sessionId: string;
  expiresAt: Date;
}

export type ClaimResult =
  | { status: 'pending' }
  | { status: 'delivered'; token: string; user: VerifiedSession['user']; expiresAt: Date };

export class ClaimNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor() {
    super('Unknown session id');
  }
}

export class ClaimGoneError extends DomainError {
  readonly kind = 'gone';
  constructor(reason: 'delivered' | 'expired') {
    super(
      reason === 'delivered' ? 'This session was already claimed' : 'This login attempt expired',
      { reason },
    );
  }
}

export interface VerifiedSession {
  sessionId: string;
  user: { id: string; email: string; name: string };
  /** Whether the account may act is AuthenticationService's decision, not this one's. */
  userStatus: string;
  expiresAt: Date;
}

class SessionUserNotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/**
 * The lifecycle of VERIFIED sessions: creation (with the per-user limit), verification through
 * the cache, claiming, and revocation. Tokens exist only in the return value of `create…`.
 */
@Injectable()
export class SessionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionService.name);
  private stopListening?: () => void;
  private readonly lastTouched = new Map<string, number>();
  private readonly revocationListeners = new Set<(userId: string) => void>();
  private readonly verifications: Counter<'result'>;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly cache: SessionCache,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly rateLimiter: RateLimiterService,
    metrics: MetricsService,
    private readonly authEvents: AuthEvents,
    private readonly logins: RefreshTokenService,
  ) {
    this.verifications = new Counter({
      name: 'session_verifications_total',
      help: 'verify-session outcomes',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
  }

  /** A password reset (account recovery) ends the user's VERIFIED sessions too. */
  onModuleInit(): void {
    this.stopListening = this.authEvents.on('user.signed_out_everywhere', async (event) => {
      await this.revokeAllForUser(event.userId, event.reason);
    });
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  async createForUser(
    input: CreateSessionInput,
    options: { claimed?: boolean } = {},
  ): Promise<CreatedSession> {
    const now = this.clock.now();
    const token = generateSessionToken();
    const expiresAt = new Date(now.getTime() + this.config.session.expiryDays * 86_400_000);
    const created = await this.sessions.insertWithinLimit(
      {
        ...input,
        tokenHash: hashSessionToken(token),
        createdAt: now,
        expiresAt,
        claimedAt: options.claimed ? now : undefined,
      },
      this.config.session.maxPerUser,
      this.unclaimedCutoff(now),
    );
    if (!created) throw new SessionUserNotFoundError('User not found');
    await this.cache.evict(created.revokedHashes);
    if (created.revokedHashes.length > 0) this.notifyRevoked(input.userId);
    return { token, sessionId: created.id, expiresAt };
  }

  /**
   * Remembers that a third party's user started logging in, so its claims say "pending". The
   * claim belongs to the first browser that started it (`browserHash`, S-12): a start from
   * another browser neither renews nor takes it over while it is pending.
   */
  async registerPendingLogin(thirdPartySessionId: string, browserHash: string): Promise<void> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.session.unclaimedTtlMinutes * 60_000);
    await this.sessions.registerClaim(thirdPartySessionId, now, expiresAt, browserHash);
  }

  /** A Google login finished in the browser `browserHash`: completes the claim it started. */
  completePendingLogin(
    thirdPartySessionId: string,
    userId: string,
    browserHash: string,
  ): Promise<PendingLoginOutcome> {
    return this.sessions.completeClaim(thirdPartySessionId, userId, this.clock.now(), browserHash);
  }

  /** Housekeeping (S-20): deletes claims past their expiry that were never delivered. */
  pruneExpiredClaims(): Promise<number> {
    return this.sessions.pruneExpiredClaims(this.clock.now());
  }

  /**
   * Device-flow style hand-over: once the user finished logging in, the service gets a session
   * token of its own, exactly once; before that "pending", after that gone.
   */
  async claimForService(thirdPartySessionId: string, clientName: string): Promise<ClaimResult> {
    const outcome = await this.sessions.deliverClaim(
      thirdPartySessionId,
      clientName,
      this.clock.now(),
      async (userId) => {
        const created = await this.createForUser(
          { userId, thirdPartySessionId, clientName },
          { claimed: true },
        );
        const verified = await this.verify(created.token);
        return {
          sessionId: created.sessionId,
          result: { token: created.token, user: verified.user, expiresAt: created.expiresAt },
        };
      },
    );
    switch (outcome.state) {
      case 'unknown':
        throw new ClaimNotFoundError();
      case 'delivered':
      case 'expired':
        throw new ClaimGoneError(outcome.state);
      case 'pending':
        return { status: 'pending' };
      case 'ready':
        return { status: 'delivered', ...outcome.result };
    }
  }

  /**
   * Verification from a client (verify-session, the credit API, the `/mcp` handshake): failures
   * count against the client's IP and, past the limit, every attempt from it gets 429 until the
   * window ends. Every attempt is counted atomically before its answer is given (the count runs
   * beside the check, one round trip), so parallel guesses cannot all pass a check made before
   * any of them was counted; what is not a guess (a success, an expired or revoked token) gives
   * its count back. A blocked IP gets 429 whatever the token turned out to be.
   */
  async verifyForClient(
    token: string | undefined,
    client: Pick<RequestContext, 'ip'> & Partial<RequestContext>,
  ): Promise<VerifiedSession> {
    const limitKey = `verify-session-failures:${client.ip}`;
    const limit = this.config.session.verifyFailuresPerMinute;
    const [decision, outcome] = await Promise.all([
      this.rateLimiter.consume(limitKey, limit, FAILURE_WINDOW_MS),
      this.verify(token).then(
        (verified) => ({ verified }),
        (error: unknown) => ({ error }),
      ),
    ]);
    // Only what guessing produces counts: expired or revoked answers need a once-real token,
    // and one integration's many users must not lock it out by letting sessions lapse.
    const guess =
      'error' in outcome &&
      (outcome.error instanceof MalformedSessionTokenError ||
        outcome.error instanceof SessionNotFoundError);
    // Not awaited: the success path keeps one round trip. It cannot be overtaken: the next
    // attempt's count goes out on the same Redis connection after it (or to the same memory).
    if (!guess) void this.rateLimiter.giveBack(limitKey);
    if (!decision.allowed) {
      this.verifications.inc({ result: 'rate_limited' });
      throw new RateLimitedError(
        decision.retryAfterSeconds,
        'Too many failed verifications, try again later',
      );
    }
    if ('verified' in outcome) {
      this.verifications.inc({ result: 'ok' });
      return outcome.verified;
    }
    const { error } = outcome;
    if (error instanceof DomainError) {
      this.verifications.inc({ result: error.message });
      this.logger.warn(
        { req: { id: client.requestId } },
        `verify-session refused: ${error.message}`,
      );
    }
    throw error;
  }

  /** Checks a token and returns its user; throws a SessionVerificationError saying why not. */
  async verify(token: string | undefined): Promise<VerifiedSession> {
    if (!token) throw new MissingSessionTokenError();
    if (!isWellFormedSessionToken(token)) throw new MalformedSessionTokenError();
    const tokenHash = hashSessionToken(token);
    let snapshot = await this.cache.readThrough(tokenHash, () =>
      this.sessions.findSnapshotByHash(tokenHash),
    );
    if (!snapshot) throw new SessionNotFoundError();

    const now = this.clock.now();
    if (snapshot.revokedAt) throw new SessionRevokedError();
    if (new Date(snapshot.expiresAt) <= now) throw new SessionExpiredError();
    if (!snapshot.claimedAt) snapshot = await this.claim(tokenHash, snapshot, now);

    this.touchSoon(snapshot.sessionId, now);
    return {
      sessionId: snapshot.sessionId,
      user: { id: snapshot.userId, email: snapshot.email, name: snapshot.name },
      userStatus: snapshot.userStatus,
      expiresAt: new Date(snapshot.expiresAt),
    };
  }

  listForUser(userId: string): Promise<Session[]> {
    const now = this.clock.now();
    return this.sessions.listLive(userId, now, this.unclaimedCutoff(now));
  }

  /**
   * What the user sees as their sessions: the VERIFIED sessions, and their logins (refresh-token
   * families: the web app, a chat socket opened with its access token).
   */
  async listOwn(userId: string): Promise<{ sessions: Session[]; logins: LiveLogin[] }> {
    const [sessions, logins] = await Promise.all([
      this.listForUser(userId),
      this.logins.listLive(userId),
    ]);
    return { sessions, logins };
  }

  /**
   * Ends one of the user's own sessions, or one of their logins (its access tokens and sockets
   * end with it); someone else's id reads as unknown.
   */
  async revokeOwn(userId: string, sessionId: string): Promise<void> {
    if ((await this.sessions.findOwner(sessionId)) === userId) {
      await this.revoke({ userId, sessionId }, 'user_revoked');
      return;
    }
    if (!(await this.logins.endOwn(userId, sessionId))) throw new OwnSessionNotFoundError();
  }

  /** Revokes any one session (operators); returns false for an unknown id. */
  async revokeById(sessionId: string, reason: string): Promise<boolean> {
    const userId = await this.sessions.findOwner(sessionId);
    if (!userId) return false;
    await this.revoke({ userId, sessionId }, reason);
    return true;
  }

  revokeAllForUser(userId: string, reason: string): Promise<number> {
    return this.revoke({ userId }, reason);
  }

  /**
   * Revokes a user's sessions (all, or the one `sessionId`) inside the caller's transaction, so an
   * operator's change and its audit row commit together. Call `evict()` once it has committed:
   * evicting the cached copies before the commit could let a verification re-cache the old state.
   * A session id of another user (or unknown) revokes nothing.
   */
  async revokeInTransaction(
    tx: EntityManager,
    filter: { userId: string; sessionId?: string },
    reason: string,
  ): Promise<{ revoked: number; evict(): Promise<void> }> {
    const hashes = await this.sessions.revoke(filter, reason, this.clock.now(), tx);
    return {
      revoked: hashes.length,
      evict: async () => {
        await this.cache.evict(hashes);
        this.notifyRevoked(filter.userId);
      },
    };
  }

  /** The owner of a session id (null when unknown), read in the caller's transaction. */
  findOwner(sessionId: string, tx?: EntityManager): Promise<string | null> {
    return this.sessions.findOwner(sessionId, tx);
  }

  private async revoke(
    filter: { userId: string; sessionId?: string },
    reason: string,
  ): Promise<number> {
    const hashes = await this.sessions.revoke(filter, reason, this.clock.now());
    await this.cache.evict(hashes);
    this.notifyRevoked(filter.userId);
    return hashes.length;
  }

  private async claim(
    tokenHash: string,
    snapshot: SessionSnapshot,
    now: Date,
  ): Promise<SessionSnapshot> {
    const cutoff = this.unclaimedCutoff(now);
    if (new Date(snapshot.createdAt) <= cutoff) throw new SessionExpiredError();
    const readAt = Date.now();
    if (!(await this.sessions.markClaimed(snapshot.sessionId, now, cutoff))) {
      // Claimed by a concurrent verification, or revoked meanwhile: PostgreSQL decides.
      const current = await this.sessions.findSnapshotByHash(tokenHash);
      if (!current || current.revokedAt) throw new SessionRevokedError();
      if (!current.claimedAt) throw new SessionExpiredError();
      snapshot = current;
    } else {
      snapshot = { ...snapshot, claimedAt: now.toISOString() };
    }
    await this.cache.set(tokenHash, snapshot, readAt);
    return snapshot;
  }

  private touchSoon(sessionId: string, now: Date): void {
    const last = this.lastTouched.get(sessionId);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(sessionId, now.getTime());
    if (this.lastTouched.size > 100_000) this.lastTouched.clear();
    // Off the request path: a slow or failed write of last_used_at must not fail verification.
    this.sessions.touch(sessionId, now, TOUCH_INTERVAL_MS).catch((error: Error) => {
      this.logger.warn(`could not record session use: ${error.message}`);
    });
  }

  /**
   * Calls `listener(userId)` after sessions of that user were revoked (committed), so holders of
   * long-lived connections re-check at once instead of at their next poll. Returns an unsubscribe.
   */
  onRevocation(listener: (userId: string) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  private notifyRevoked(userId: string): void {
    for (const listener of this.revocationListeners) {
      try {
        listener(userId);
      } catch (error) {
        this.logger.warn(`revocation listener failed: ${(error as Error).message}`);
      }
    }
  }

  private unclaimedCutoff(now: Date): Date {
    return new Date(now.getTime() - this.config.session.unclaimedTtlMinutes * 60_000);
  }
}
