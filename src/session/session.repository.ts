import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { PendingLoginOutcome } from './pending-login';
import { Session } from './entities/session.entity';

/** What verification needs about a session and its user, in one row (and one cache entry). */
export interface SessionSnapshot {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  userStatus: string;
  createdAt: string;
  expiresAt: string;
  claimedAt: string | null;
  revokedAt: string | null;
}

export interface NewSession {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  ip?: string;
  userAgent?: string;
  returnTo?: string;
  thirdPartySessionId?: string;
  clientName?: string;
  /** Set for sessions handed straight to a service (no code on a screen to expire). */
  claimedAt?: Date;
}

export type ClaimState =
  | { state: 'unknown' }
  | { state: 'expired' }
  | { state: 'pending' }
  | { state: 'delivered' }
  | { state: 'ready'; userId: string };

/** "Live": not revoked, not past expiry, and either claimed or still within the unclaimed TTL. */
const LIVE = `revoked_at IS NULL AND expires_at > $2 AND (claimed_at IS NOT NULL OR created_at > $3)`;

/** Every SQL statement about sessions and session claims. */
@Injectable()
export class SessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts a session and revokes the oldest live ones beyond `maxPerUser`, in one transaction
   * holding the user's row lock, so concurrent logins never leave more than the limit.
   * Returns the new id and the hashes of the sessions it revoked (for cache eviction), or null
   * when the user does not exist.
   */
  async insertWithinLimit(
    session: NewSession,
    maxPerUser: number,
    unclaimedCutoff: Date,
  ): Promise<{ id: string; revokedHashes: string[] } | null> {
    return this.dataSource.transaction(async (tx) => {
      const user = await tx.query<unknown[]>('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [
        session.userId,
      ]);
      if (user.length === 0) return null;
      const [{ id }] = await tx.query<{ id: string }[]>(
        `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, ip, user_agent, return_to,
                               third_party_session_id, client_name, claimed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          session.tokenHash,
          session.userId,
          session.createdAt,
          session.expiresAt,
          session.ip ?? null,
          session.userAgent ?? null,
          session.returnTo ?? null,
          session.thirdPartySessionId ?? null,
          session.clientName ?? null,
          session.claimedAt ?? null,
        ],
      );
      const [revoked] = await tx.query<[{ token_hash: string }[], number]>(
        `UPDATE sessions SET revoked_at = $2, revoked_reason = 'session_limit'
         WHERE id IN (SELECT id FROM sessions WHERE user_id = $1 AND ${LIVE}
                      ORDER BY created_at DESC, id DESC OFFSET $4)
         RETURNING token_hash`,
        [session.userId, session.createdAt, unclaimedCutoff, maxPerUser],
      );
      return { id, revokedHashes: revoked.map((r) => r.token_hash) };
    });
  }

  async findSnapshotByHash(tokenHash: string): Promise<SessionSnapshot | null> {
    const rows = await this.dataSource.query<SessionSnapshot[]>(
      `SELECT s.id AS "sessionId", s.user_id AS "userId", u.email, u.name, u.status AS "userStatus",
              s.created_at AS "createdAt", s.expires_at AS "expiresAt",
              s.claimed_at AS "claimedAt", s.revoked_at AS "revokedAt"
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = $1`,
      [tokenHash],
    );
    return rows[0] ? toIsoDates(rows[0]) : null;
  }

  /** Records the first successful verification; false when the code died or was revoked first. */
  async markClaimed(sessionId: string, now: Date, unclaimedCutoff: Date): Promise<boolean> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE sessions SET claimed_at = $2, last_used_at = $2
       WHERE id = $1 AND claimed_at IS NULL AND revoked_at IS NULL AND created_at > $3`,
      [sessionId, now, unclaimedCutoff],
    );
    return count === 1;
  }

  /** Updates last_used_at unless another request (of any instance) did so within `intervalMs`. */
  async touch(sessionId: string, now: Date, intervalMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE sessions SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - make_interval(secs => $3::float8))`,
      [sessionId, now, intervalMs / 1000],
    );
  }

  async listLive(userId: string, now: Date, unclaimedCutoff: Date): Promise<Session[]> {
    return this.dataSource
      .getRepository(Session)
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > :now', {
        userId,
        now,
      })
      .andWhere('(s.claimed_at IS NOT NULL OR s.created_at > :cutoff)', { cutoff: unclaimedCutoff })
      .orderBy('s.created_at', 'DESC')
      .getMany();
  }

  /** Revokes matching unrevoked sessions; returns their hashes for cache eviction. */
  async revoke(
    filter: { userId: string; sessionId?: string },
    reason: string,
    now: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    const [rows] = await manager.query<[{ token_hash: string }[], number]>(
      `UPDATE sessions SET revoked_at = $3, revoked_reason = $4
       WHERE user_id = $1 AND ($2::uuid IS NULL OR id = $2::uuid) AND revoked_at IS NULL
       RETURNING token_hash`,
      [filter.userId, filter.sessionId ?? null, now, reason],
    );
    return rows.map((r) => r.token_hash);
  }

  /** The owner of a session id, for routes that address sessions by id. */
  async findOwner(
    sessionId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string | null> {
    const rows = await manager.query<{ user_id: string }[]>(
      'SELECT user_id FROM sessions WHERE id = $1',
      [sessionId],
    );
    return rows[0]?.user_id ?? null;
  }

  /**
   * Registers a third party's pending login for the browser `browserHash`; a new start of an
   * uncompleted one from the same browser renews it, and one that expired may be taken anew.
   */
  async registerClaim(
    thirdPartySessionId: string,
    now: Date,
    expiresAt: Date,
    browserHash: string,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO session_claims (third_party_session_id, created_at, expires_at, browser_hash)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (third_party_session_id) DO UPDATE SET created_at = $2, expires_at = $3, browser_hash = $4
       WHERE session_claims.completed_at IS NULL
         AND (session_claims.browser_hash = $4 OR session_claims.expires_at <= $2)`,
      [thirdPartySessionId, now, expiresAt, browserHash],
    );
  }

  /**
   * Marks a pending login as finished by `userId`, only in the browser that started it, and says
   * which service already polled for it; otherwise why not (another browser, already done).
   */
  async completeClaim(
    thirdPartySessionId: string,
    userId: string,
    now: Date,
    browserHash: string,
  ): Promise<PendingLoginOutcome> {
    const [rows] = await this.dataSource.query<[{ client_name: string | null }[], number]>(
      `UPDATE session_claims SET user_id = $2, completed_at = $3
       WHERE third_party_session_id = $1 AND completed_at IS NULL AND expires_at > $3
         AND browser_hash = $4
       RETURNING client_name`,
      [thirdPartySessionId, userId, now, browserHash],
    );
    if (rows[0]) return { state: 'bound', client: rows[0].client_name };
    const [other] = await this.dataSource.query<{ n: number }[]>(
      `SELECT 1 AS n FROM session_claims
       WHERE third_party_session_id = $1 AND (completed_at IS NOT NULL OR expires_at > $2)`,
      [thirdPartySessionId, now],
    );
    return other ? { state: 'elsewhere' } : { state: 'none' };
  }

  /** Deletes claims past their expiry (delivered ones a day later: until then they answer 410). */
  async pruneExpiredClaims(now: Date): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM session_claims
       WHERE expires_at <= $1 AND (delivered_at IS NULL OR expires_at <= $1 - interval '1 day')`,
      [now],
    );
    return count;
  }

  /**
   * Delivers a completed claim exactly once: `deliver` runs (creating the session) only for the
   * one caller that finds it ready, under the claim's row lock.
   */
  async deliverClaim<T>(
    thirdPartySessionId: string,
    clientName: string,
    now: Date,
    deliver: (userId: string) => Promise<{ sessionId: string; result: T }>,
  ): Promise<{ state: Exclude<ClaimState['state'], 'ready'> } | { state: 'ready'; result: T }> {
    return this.dataSource.transaction(async (tx) => {
      const rows = await tx.query<
        {
          user_id: string | null;
          completed_at: Date | null;
          delivered_at: Date | null;
          expires_at: Date;
          client_name: string | null;
        }[]
      >(
        `SELECT user_id, completed_at, delivered_at, expires_at, client_name FROM session_claims
         WHERE third_party_session_id = $1 FOR UPDATE`,
        [thirdPartySessionId],
      );
      const claim = rows[0];
      // S-09: a login belongs to the integration that first polled it; to any other it is unknown.
      if (!claim || (claim.client_name !== null && claim.client_name !== clientName)) {
        return { state: 'unknown' as const };
      }
      if (claim.delivered_at) return { state: 'delivered' as const };
      if (!claim.completed_at || !claim.user_id) {
        if (claim.expires_at <= now) return { state: 'expired' as const };
        await tx.query(
          `UPDATE session_claims SET client_name = $2 WHERE third_party_session_id = $1 AND client_name IS NULL`,
          [thirdPartySessionId, clientName],
        );
        return { state: 'pending' as const };
      }
      const { sessionId, result } = await deliver(claim.user_id);
      await tx.query(
        `UPDATE session_claims SET delivered_at = $2, delivered_session_id = $3 WHERE third_party_session_id = $1`,
        [thirdPartySessionId, now, sessionId],
      );
      return { state: 'ready' as const, result };
    });
  }
}

function toIsoDates(row: SessionSnapshot): SessionSnapshot {
  const iso = (value: unknown) =>
    value instanceof Date ? value.toISOString() : (value as string | null);
  return {
    ...row,
    createdAt: iso(row.createdAt)!,
    expiresAt: iso(row.expiresAt)!,
    claimedAt: iso(row.claimedAt),
    revokedAt: iso(row.revokedAt),
  };
}
