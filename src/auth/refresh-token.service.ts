import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { InvalidRefreshTokenError } from './auth.errors';
import { AuthEvents } from './events/auth-events';
import { LiveLogin, RefreshTokensRepository } from './refresh-tokens.repository';
import { randomToken, sha256Hex } from './secrets';

export interface IssuedRefreshToken {
  userId: string;
  familyId: string;
  token: string;
  expiresAt: Date;
}

type RotateOutcome =
  | { kind: 'rotated'; issued: IssuedRefreshToken }
  | { kind: 'reused'; userId: string; familyId: string; revoked: number }
  | { kind: 'invalid' };

/**
 * Opaque refresh tokens: 256 random bits, stored as SHA-256, rotated on every use. A token that
 * was already rotated and comes back means it was copied: the whole family is revoked.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger(RefreshTokenService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: RefreshTokensRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: AuthEvents,
  ) {}

  /** Starts a new family (one login). */
  issue(userId: string): Promise<IssuedRefreshToken> {
    return this.insert(undefined, userId, randomUUID());
  }

  private async insert(
    manager: EntityManager | undefined,
    userId: string,
    familyId: string,
  ): Promise<IssuedRefreshToken> {
    const token = randomToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.auth.refreshTokenTtlSeconds * 1000);
    await this.tokens.insert(manager, {
      userId,
      familyId,
      tokenHash: sha256Hex(token),
      createdAt: now,
      expiresAt,
    });
    return { userId, familyId, token, expiresAt };
  }

  /** Exchanges a live token for its successor; reuse of a rotated one revokes the family. */
  async rotate(token: string): Promise<IssuedRefreshToken> {
    const now = this.clock.now();
    // The outcome leaves the transaction first, so a family revocation commits before we throw.
    const outcome = await this.dataSource.transaction(async (manager): Promise<RotateOutcome> => {
      const row = await this.tokens.lockByHash(manager, sha256Hex(token));
      if (!row || row.revokedAt) return { kind: 'invalid' };
      if (row.rotatedAt) {
        const revoked = await this.tokens.revokeFamily(row.familyId, now, 'reuse', { manager });
        return { kind: 'reused', userId: row.userId, familyId: row.familyId, revoked };
      }
      if (row.expiresAt.getTime() <= now.getTime()) return { kind: 'invalid' };
      await this.tokens.markRotated(manager, row.id, now);
      return { kind: 'rotated', issued: await this.insert(manager, row.userId, row.familyId) };
    });
    if (outcome.kind === 'rotated') return outcome.issued;
    if (outcome.kind === 'reused') {
      this.logger.warn(
        { userId: outcome.userId, familyId: outcome.familyId, revoked: outcome.revoked },
        'Refresh token reuse detected: token family revoked',
      );
      this.loginRevoked(outcome.userId, outcome.familyId, 'reuse');
      throw new InvalidRefreshTokenError('Refresh token reuse detected; please log in again');
    }
    throw new InvalidRefreshTokenError();
  }

  /**
   * Logout: revokes the family of this token, which ends that login's access tokens too (their
   * `sid`). Unknown tokens are ignored (idempotent).
   */
  async revoke(token: string, reason = 'logout'): Promise<void> {
    const row = await this.tokens.findByHash(sha256Hex(token));
    if (row) await this.revokeFamily(row.userId, row.familyId, reason);
  }

  async revokeFamily(userId: string, familyId: string, reason: string): Promise<void> {
    await this.tokens.revokeFamily(familyId, this.clock.now(), reason);
    this.loginRevoked(userId, familyId, reason);
  }

  /** The user's logins that can still refresh (not revoked, not expired), newest first. */
  listLive(userId: string): Promise<LiveLogin[]> {
    return this.tokens.listLiveFamilies(userId, this.clock.now());
  }

  /** Ends one of the user's own logins; false when `loginId` is not a live login of theirs. */
  async endOwn(userId: string, loginId: string): Promise<boolean> {
    const revoked = await this.tokens.revokeFamily(loginId, this.clock.now(), 'user_revoked', {
      userId,
    });
    if (revoked > 0) this.loginRevoked(userId, loginId, 'user_revoked');
    return revoked > 0;
  }

  /**
   * Revokes every live refresh token of the user; `manager`: the caller's transaction (whoever
   * passes one tells the holders of long-lived connections after it commits).
   */
  revokeAllForUser(userId: string, reason: string, manager?: EntityManager): Promise<number> {
    return this.tokens.revokeAllForUser(userId, this.clock.now(), reason, manager);
  }

  /** The user's last login or refresh (newest refresh token issued), or null. */
  lastIssuedAt(userId: string): Promise<Date | null> {
    return this.tokens.lastIssuedAt(userId);
  }

  private loginRevoked(userId: string, loginId: string, reason: string): void {
    this.events.publish('login.revoked', { userId, loginId, reason });
  }
}
