import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EmailTakenError, GoogleIdTakenError } from './auth.errors';
import { User, UserRole, UserStatus } from './entities/user.entity';
import { AuthEvents } from './events/auth-events';
import { NewUser, UserSearch, UsersRepository, uniqueViolation } from './users.repository';

/** What the API shows of a user: never the password hash or the Google id. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  status: UserStatus;
  email_verified: boolean;
  created_at: string;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    email_verified: user.emailVerified,
    created_at: user.createdAt.toISOString(),
  };
}

/** Accounts: creation (the one signup transaction) and the few changes other modules need. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly events: AuthEvents,
  ) {}

  /**
   * Creates a user in ONE transaction: everything a new account starts with is written inside
   * it, so a user never exists half set up. Duplicate email → EmailTakenError.
   */
  async create(input: Omit<NewUser, 'role'> & { role?: UserRole }): Promise<User> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await this.users.insert(manager, {
          ...input,
          email: input.email.trim().toLowerCase(),
          role: input.role ?? 'user',
        });
        // Listeners write what a new account starts with (Credits: the credit account and its
        // `signup` ledger row) in this transaction, so they commit with the user.
        await this.events.emit('user.signed_up', { user, tx: manager });
        return user;
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === 'users_email_lower_key') throw new EmailTakenError();
      if (constraint === 'users_google_id_key') throw new GoogleIdTakenError();
      throw error;
    }
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email.trim());
  }

  findByGoogleId(googleId: string): Promise<User | null> {
    return this.users.findByGoogleId(googleId);
  }

  async setStatus(id: string, status: UserStatus): Promise<void> {
    await this.users.update(id, { status });
  }

  async setRole(id: string, role: UserRole): Promise<void> {
    await this.users.update(id, { role });
  }

  /**
   * A mailed code proved the address (verify-email, reset-password): it is verified, and a Google
   * link made before anyone proved it (Google had not verified it either) goes (S-10).
   */
  async proveEmail(user: Pick<User, 'id' | 'emailVerified' | 'googleId'>): Promise<void> {
    if (user.emailVerified) return;
    await this.markVerified(user.id, user.googleId !== null ? { googleId: null } : {});
  }

  /**
   * Turns email_verified true once (a conditional UPDATE: concurrent callers cannot both) with
   * `changes`, and tells listeners in the same transaction (Credits: the signup bonus, S-19).
   */
  private markVerified(
    id: string,
    changes: { googleId?: string | null; passwordHash?: null },
  ): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const flipped = await this.users.markVerified(manager, id, changes);
      if (flipped) await this.events.emit('user.email_verified', { userId: id, tx: manager });
      else if (Object.keys(changes).length > 0) await this.users.update(id, changes, manager);
    });
  }

  async rename(id: string, name: string): Promise<void> {
    await this.users.update(id, { name });
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update(id, { passwordHash });
  }

  /** Links a Google account to an existing user; Google vouched for the email, so it is verified. */
  async linkGoogle(
    id: string,
    googleId: string,
    options: { dropPassword: boolean },
  ): Promise<void> {
    try {
      await this.markVerified(id, {
        googleId,
        ...(options.dropPassword ? { passwordHash: null } : {}),
      });
    } catch (error) {
      if (uniqueViolation(error) === 'users_google_id_key') throw new GoogleIdTakenError();
      throw error;
    }
  }

  /** Users matching `filter`, newest first; `afterId` is the last id of the previous page. */
  search(filter: UserSearch, limit: number, afterId?: string): Promise<User[]> {
    return this.users.search(filter, limit, afterId);
  }

  /** Locks the user's row in the caller's transaction (changes decided on the current state). */
  lockForChange(tx: EntityManager, id: string): Promise<User | null> {
    return this.users.lockById(tx, id);
  }

  /** Changes role and/or status inside the caller's transaction. */
  async changeAccess(
    tx: EntityManager,
    id: string,
    changes: { role?: UserRole; status?: UserStatus },
  ): Promise<void> {
    await this.users.update(id, changes, tx);
  }
}
