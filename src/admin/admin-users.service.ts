import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { User, UserRole, UserStatus } from '../auth/entities/user.entity';
import { RefreshTokenService } from '../auth/refresh-token.service';
import type { UserSearch } from '../auth/users.repository';
import { toUserView, UserView, UsersService } from '../auth/users.service';
import { AuditLogService } from '../common/audit/audit-log.service';
import { CreditLedgerService } from '../credits/credit-ledger.service';
import type { Session } from '../session/entities/session.entity';
import { SessionService } from '../session/session.service';
import { auditedBy, Operator } from '../auth/admin-access';
import {
  AdminSessionNotFoundError,
  AdminUserNotFoundError,
  InvalidAdminRequestError,
  SelfLockoutError,
} from './admin.errors';

export interface UserDetailView extends UserView {
  credits: { balance: string; available: string; held: string };
  live_sessions: number;
  /** Latest of: a session used, a login or token refresh, a ledger row. Null when never. */
  last_activity_at: string | null;
}

export interface SessionView {
  id: string;
  created_at: string;
  expires_at: string;
  claimed_at: string | null;
  last_used_at: string | null;
  ip: string | null;
  user_agent: string | null;
  client_name: string | null;
  return_to: string | null;
}

export interface UserUpdateResult {
  user: UserView;
  sessions_revoked: number;
  refresh_tokens_revoked: number;
}

function toSessionView(session: Session): SessionView {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    claimed_at: session.claimedAt?.toISOString() ?? null,
    last_used_at: session.lastUsedAt?.toISOString() ?? null,
    ip: session.ip,
    user_agent: session.userAgent,
    client_name: session.clientName,
    return_to: session.returnTo,
  };
}

function latest(dates: (Date | string | null | undefined)[]): string | null {
  const times = dates.filter((d) => d).map((d) => new Date(d!).getTime());
  return times.length ? new Date(Math.max(...times)).toISOString() : null;
}

/**
 * Operators' view of accounts and their sessions. Changes lock the user's row, apply, revoke
 * and write the audit row in one transaction; cached session copies are evicted after the commit.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly sessions: SessionService,
    private readonly ledger: CreditLedgerService,
    private readonly audit: AuditLogService,
  ) {}

  async list(
    filter: UserSearch,
    limit: number,
    cursor?: string,
  ): Promise<{ items: UserView[]; next_cursor: string | null }> {
    const rows = await this.users.search(filter, limit + 1, cursor);
    const items = rows.slice(0, limit).map(toUserView);
    return {
      items,
      next_cursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null,
    };
  }

  async detail(id: string): Promise<UserDetailView> {
    const user = await this.requireUser(id);
    const [balance, sessions, lastLogin, lastRow] = await Promise.all([
      this.ledger.balance(id),
      this.sessions.listForUser(id),
      this.refreshTokens.lastIssuedAt(id),
      this.ledger.transactions(id, 1),
    ]);
    return {
      ...toUserView(user),
      credits: { balance: balance.balance, available: balance.available, held: balance.held },
      live_sessions: sessions.length,
      last_activity_at: latest([
        ...sessions.map((s) => s.lastUsedAt),
        lastLogin,
        lastRow.items[0]?.created_at,
      ]),
    };
  }

  /**
   * Role and/or status. Disabling revokes every session and refresh token of the user in the same
   * transaction (verify-session answers 401 from then on; the JWT guard re-reads the account on
   * every request, so access tokens already issued are refused from the next request).
   */
  async update(
    admin: Operator,
    id: string,
    changes: { role?: UserRole; status?: UserStatus },
  ): Promise<UserUpdateResult> {
    if (changes.role === undefined && changes.status === undefined) {
      throw new InvalidAdminRequestError('Send role and/or status');
    }
    if (id === admin.id && (changes.role === 'user' || changes.status === 'disabled')) {
      throw new SelfLockoutError();
    }
    const outcome = await this.dataSource.transaction(async (tx) => {
      const user = await this.users.lockForChange(tx, id);
      if (!user) throw new AdminUserNotFoundError(id);
      const before = { role: user.role, status: user.status };
      const after = { role: changes.role ?? user.role, status: changes.status ?? user.status };
      await this.users.changeAccess(tx, id, after);
      let revoked = { revoked: 0, evict: () => Promise.resolve() };
      let refreshTokensRevoked = 0;
      if (after.status === 'disabled') {
        revoked = await this.sessions.revokeInTransaction(tx, { userId: id }, 'account_disabled');
        refreshTokensRevoked = await this.refreshTokens.revokeAllForUser(
          id,
          'account_disabled',
          tx,
        );
      }
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: 'user.update',
        target: { type: 'user', id },
        before,
        after: {
          ...after,
          sessions_revoked: revoked.revoked,
          refresh_tokens_revoked: refreshTokensRevoked,
        },
      });
      const updated: User = { ...user, ...after };
      return { updated, revoked, refreshTokensRevoked };
    });
    await outcome.revoked.evict();
    return {
      user: toUserView(outcome.updated),
      sessions_revoked: outcome.revoked.revoked,
      refresh_tokens_revoked: outcome.refreshTokensRevoked,
    };
  }

  async sessionsOf(id: string): Promise<SessionView[]> {
    await this.requireUser(id);
    return (await this.sessions.listForUser(id)).map(toSessionView);
  }

  /** Revokes one session of any user; 404 for an unknown id. */
  async revokeSession(admin: Operator, sessionId: string): Promise<{ revoked: number }> {
    return this.revokeSessions(admin, async (tx) => {
      const userId = await this.sessions.findOwner(sessionId, tx);
      if (!userId) throw new AdminSessionNotFoundError(sessionId);
      return { filter: { userId, sessionId }, target: { type: 'session', id: sessionId } };
    });
  }

  /** Revokes every session of a user; 404 for an unknown user. */
  async revokeAllSessions(admin: Operator, userId: string): Promise<{ revoked: number }> {
    return this.revokeSessions(admin, async (tx) => {
      if (!(await this.users.lockForChange(tx, userId))) throw new AdminUserNotFoundError(userId);
      return { filter: { userId }, target: { type: 'user', id: userId } };
    });
  }

  private async revokeSessions(
    admin: Operator,
    resolve: (tx: EntityManager) => Promise<{
      filter: { userId: string; sessionId?: string };
      target: { type: string; id: string };
    }>,
  ): Promise<{ revoked: number }> {
    const revocation = await this.dataSource.transaction(async (tx) => {
      const { filter, target } = await resolve(tx);
      const result = await this.sessions.revokeInTransaction(tx, filter, 'admin_revoked');
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action: filter.sessionId ? 'session.revoke' : 'user.sessions_revoke',
        target,
        after: { user_id: filter.userId, sessions_revoked: result.revoked },
      });
      return result;
    });
    await revocation.evict();
    return { revoked: revocation.revoked };
  }

  private async requireUser(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new AdminUserNotFoundError(id);
    return user;
  }
}
