import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface StoredGoogleLogin {
  thirdPartySessionId: string | null;
  returnTo: string;
  browserHash: string;
  expiresAt: Date;
}

interface Row {
  third_party_session_id: string | null;
  return_to: string;
  browser_hash: string;
  expires_at: Date;
}

const toStored = (row: Row): StoredGoogleLogin => ({
  thirdPartySessionId: row.third_party_session_id,
  returnTo: row.return_to,
  browserHash: row.browser_hash,
  expiresAt: row.expires_at,
});

/** Every SQL statement about Google logins in flight (`google_login_states`). */
@Injectable()
export class GoogleLoginStatesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores a new login unless its IP already has `limit` live ones; then answers when the oldest
   * ends. Atomic per IP: the count and the insert run under a transaction lock on the address.
   */
  insertWithinLimit(
    login: StoredGoogleLogin & { stateHash: string; ip: string | null; createdAt: Date },
    limit: number,
  ): Promise<{ inserted: true } | { inserted: false; freeAt: Date }> {
    return this.dataSource.transaction(async (tx) => {
      if (login.ip !== null) {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7713))`, [login.ip]);
        const [live] = await tx.query<{ n: string; oldest: Date | null }[]>(
          `SELECT count(*) AS n, min(expires_at) AS oldest FROM google_login_states
           WHERE ip = $1 AND expires_at > $2 AND used_at IS NULL`,
          [login.ip, login.createdAt],
        );
        if (Number(live.n) >= limit) return { inserted: false as const, freeAt: live.oldest! };
      }
      await tx.query(
        `INSERT INTO google_login_states
           (state_hash, third_party_session_id, return_to, browser_hash, ip, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          login.stateHash,
          login.thirdPartySessionId,
          login.returnTo,
          login.browserHash,
          login.ip,
          login.createdAt,
          login.expiresAt,
        ],
      );
      return { inserted: true as const };
    });
  }

  /** Uses a live state up, once: only one concurrent caller gets the row. */
  async use(stateHash: string, now: Date): Promise<StoredGoogleLogin | null> {
    const [rows] = await this.dataSource.query<[Row[], number]>(
      `UPDATE google_login_states SET used_at = $2
       WHERE state_hash = $1 AND used_at IS NULL
       RETURNING third_party_session_id, return_to, browser_hash, expires_at`,
      [stateHash, now],
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  /** A state that was already used (a reload of the callback), while it is kept. */
  async findUsed(stateHash: string): Promise<StoredGoogleLogin | null> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT third_party_session_id, return_to, browser_hash, expires_at
       FROM google_login_states WHERE state_hash = $1 AND used_at IS NOT NULL`,
      [stateHash],
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  async pruneExpired(now: Date): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM google_login_states WHERE expires_at <= $1`,
      [now],
    );
    return count;
  }
}
