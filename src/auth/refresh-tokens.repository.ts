import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity';

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

  async revokeFamily(
    familyId: string,
    at: Date,
    reason: string,
    manager?: EntityManager,
  ): Promise<number> {
    const result = await this.repo(manager).update(
      { familyId, revokedAt: IsNull() },
      { revokedAt: at, revokeReason: reason },
    );
    return result.affected ?? 0;
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
