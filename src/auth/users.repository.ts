import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { User, UserRole, UserStatus } from './entities/user.entity';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string | null;
  googleId: string | null;
  emailVerified: boolean;
  role: UserRole;
}

/** Name of the unique constraint a failed insert ran into, if that is why it failed. */
export function uniqueViolation(error: unknown): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driver = error.driverError as { code?: string; constraint?: string };
  return driver.code === '23505' ? (driver.constraint ?? 'unknown') : null;
}

/** What an access-token check needs, read in one query. */
export interface AccessState {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  status: UserStatus;
  tokensValidAfter: Date | null;
  /** Whether the token's login (refresh-token family) has a token that is not revoked. */
  loginLive: boolean;
}

export interface UserSearch {
  /** Case-insensitive substring of the email or the name. */
  search?: string;
  role?: UserRole;
  status?: UserStatus;
}

/** `%`, `_` and `\\` match themselves in a LIKE pattern built from user input. */
export function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Every SQL statement about the `users` table. */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  async insert(manager: EntityManager, user: NewUser): Promise<User> {
    return this.repo(manager).save(this.repo(manager).create(user));
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.repo(manager).findOneBy({ id });
  }

  /** Case-insensitive, through the `lower(email)` unique index. */
  findByEmail(email: string, manager?: EntityManager): Promise<User | null> {
    return this.repo(manager)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  /** The account and the state of one of its logins, or null when the account is gone. */
  async findAccessState(userId: string, loginId: string): Promise<AccessState | null> {
    const [row] = await this.dataSource.query<
      (Omit<AccessState, 'tokensValidAfter' | 'loginLive'> & {
        tokens_valid_after: Date | null;
        login_live: boolean;
      })[]
    >(
      `SELECT u.id, u.email, u.name, u.role, u.status, u.tokens_valid_after,
              EXISTS (SELECT 1 FROM refresh_tokens t
                       WHERE t.family_id = $2 AND t.user_id = u.id AND t.revoked_at IS NULL) AS login_live
         FROM users u WHERE u.id = $1`,
      [userId, loginId],
    );
    if (!row) return null;
    const { tokens_valid_after, login_live, ...user } = row;
    return { ...user, tokensValidAfter: tokens_valid_after, loginLive: login_live };
  }

  findByGoogleId(googleId: string): Promise<User | null> {
    return this.repo().findOneBy({ googleId });
  }

  /** Sets email_verified (and `changes`) only if it was false; whether this call did it. */
  async markVerified(
    manager: EntityManager,
    id: string,
    changes: { googleId?: string | null; passwordHash?: null },
  ): Promise<boolean> {
    const result = await this.repo(manager).update(
      { id, emailVerified: false },
      { ...changes, emailVerified: true },
    );
    return (result.affected ?? 0) > 0;
  }

  async update(
    id: string,
    changes: Partial<
      Pick<
        User,
        | 'passwordHash'
        | 'googleId'
        | 'emailVerified'
        | 'role'
        | 'status'
        | 'name'
        | 'tokensValidAfter'
      >
    >,
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update({ id }, changes);
  }

  /**
   * Newest first, keyset-paginated on (created_at, id) after the user `afterId`. The substring
   * match uses the trigram GIN indexes on lower(email) and lower(name).
   */
  search(filter: UserSearch, limit: number, afterId?: string): Promise<User[]> {
    const qb = this.repo()
      .createQueryBuilder('u')
      .orderBy('u.created_at', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(limit);
    if (filter.search) {
      qb.andWhere(
        "(lower(u.email) LIKE :pattern ESCAPE '\\' OR lower(u.name) LIKE :pattern ESCAPE '\\')",
        { pattern: likeContains(filter.search) },
      );
    }
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.status) qb.andWhere('u.status = :status', { status: filter.status });
    if (afterId) {
      qb.andWhere('(u.created_at, u.id) < (SELECT created_at, id FROM users WHERE id = :afterId)', {
        afterId,
      });
    }
    return qb.getMany();
  }

  /** The user's row under `SELECT … FOR UPDATE`, for a change decided on its current state. */
  lockById(tx: EntityManager, id: string): Promise<User | null> {
    return this.repo(tx)
      .createQueryBuilder('u')
      .setLock('pessimistic_write')
      .where('u.id = :id', { id })
      .getOne();
  }
}
