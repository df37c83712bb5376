import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { User, UserRole } from './entities/user.entity';

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

  findByGoogleId(googleId: string): Promise<User | null> {
    return this.repo().findOneBy({ googleId });
  }

  async update(
    id: string,
    changes: Partial<
      Pick<User, 'passwordHash' | 'googleId' | 'emailVerified' | 'role' | 'status' | 'name'>
    >,
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update({ id }, changes);
  }
}
