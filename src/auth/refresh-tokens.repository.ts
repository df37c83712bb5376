import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity';

/** One login as its owner sees it: when it started, was last refreshed, and can refresh until. */
export interface LiveLogin {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

/** Every SQL statement about the `refresh_tokens` table. */
@Injectable()
export class RefreshTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(RefreshToken);
  }

  async insert(
    manager: EntityManager | undefined,
    row: Pick<RefreshToken, 'userId' | 'familyId' | 'tokenHash' | 'createdAt' | 'expiresAt'>,
  ): Promise<RefreshToken> {
    return this.repo(manager).save(this.repo(manager).create(row));
  }

  /** The row of a token hash, locked until the transaction ends (SELECT … FOR UPDATE). */
  lockByHash(manager: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    return this.repo(manager)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .getOne();
  }

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.repo().findOneBy({ tokenHash });
  }

  async markRotated(manager: EntityManager, id: string, at: Date): Promise<void> {
    await this.repo(manager).update({ id }, { rotatedAt: at });
  }

  /** Revokes the family's live tokens (only when it is `options.userId`'s, if given). */
  async revokeFamily(
    familyId: string,
    at: Date,
    reason: string,
    options: { manager?: EntityManager; userId?: string } = {},
  ): Promise<number> {
    const result = await this.repo(options.manager).update(
      { familyId, revokedAt: IsNull(), ...(options.userId ? { userId: options.userId } : {}) },
      { revokedAt: at, revokeReason: reason },
    );
    return result.affected ?? 0;
  }

  async listLiveFamilies(userId: string, now: Date): Promise<LiveLogin[]> {
    const rows = await this.dataSource.query<
      { id: string; created_at: Date; last_used_at: Date; expires_at: Date }[]
    >(
      `SELECT family_id AS id, min(created_at) AS created_at, max(created_at) AS last_used_at,
              max(expires_at) AS expires_at
         FROM refresh_tokens
        WHERE user_id = $1
        GROUP BY family_id
       HAVING bool_and(revoked_at IS NULL) AND max(expires_at) > $2
        ORDER BY min(created_at) DESC`,
      [userId, now],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
    }));
  }

  async revokeAllForUser(
    userId: string,
    at: Date,
    reason: string,
    manager?: EntityManager,
  ): Promise<number> {
    const result = await this.repo(manager).update(
      { userId, revokedAt: IsNull() },
      { revokedAt: at, revokeReason: reason },
    );
    return result.affected ?? 0;
  }

  /** When the user's newest refresh token was issued (their last login or refresh), or null. */
  async lastIssuedAt(userId: string): Promise<Date | null> {
    const [row] = await this.repo()
      .createQueryBuilder('t')
      .select('max(t.created_at)', 'at')
      .where('t.user_id = :userId', { userId })
      .getRawMany<{ at: Date | null }>();
    return row?.at ?? null;
  }
}
