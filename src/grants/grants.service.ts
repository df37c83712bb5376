import { Injectable } from '@nestjs/common';
import { formatUnits, parseUnits, STORAGE_MAX_UNITS } from '../common/money/credit-amount';
import { Clock } from '../common/time/clock';
import { isUuid } from '../common/uuid';
import { AppConfig } from '../config/app-config';
import type { GrantCaps, GrantClientType, GrantRecord, GrantSource } from './grant';
import { GrantEvents } from './grant-events';
import { GrantNotFoundError, InvalidGrantRequestError } from './grants.errors';
import { GrantsRepository } from './grants.repository';

/** Caps as the API takes them: decimal strings, null for "no cap". */
export interface CapsInput {
  period?: string;
  period_cap?: string | null;
  total_cap?: string | null;
}

function capOf(value: string | null | undefined, name: string): bigint | null {
  if (value === null || value === undefined) return null;
  const parsed = parseUnits(value);
  if ('problem' in parsed || parsed.units < 0n || parsed.units > STORAGE_MAX_UNITS) {
    throw new InvalidGrantRequestError(
      `${name} must be a decimal amount of at least 0 with up to 4 decimals`,
    );
  }
  return parsed.units;
}

/**
 * Spending grants: what a user allows one app to spend. The money core enforces them (the credit
 * API passes the caller's grant into the same `credit_apply` call as the balance); this service
 * creates, lists, changes and revokes them.
 */
@Injectable()
export class GrantsService {
  constructor(
    private readonly grants: GrantsRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly events: GrantEvents,
  ) {}

  /** The caps a new grant proposes when nothing else says (GRANT_DEFAULT_PERIOD/_CAP). */
  defaultCaps(): GrantCaps {
    const cap = parseUnits(this.config.oauth.defaultCap);
    return {
      period: this.config.oauth.defaultPeriod,
      periodCap: 'units' in cap ? cap.units : null,
      totalCap: null,
    };
  }

  /** Parses caps from the API; `base` fills what the input leaves out. */
  parseCaps(input: CapsInput, base: GrantCaps): GrantCaps {
    if (input.period !== undefined && input.period !== 'day' && input.period !== 'month') {
      throw new InvalidGrantRequestError('period must be day or month');
    }
    return {
      period: input.period ?? base.period,
      periodCap:
        input.period_cap === undefined ? base.periodCap : capOf(input.period_cap, 'period_cap'),
      totalCap: input.total_cap === undefined ? base.totalCap : capOf(input.total_cap, 'total_cap'),
    };
  }

  /** The user's live grant to this app (the credit API asks on every call of a grant client). */
  findLive(
    userId: string,
    clientType: GrantClientType,
    clientId: string,
  ): Promise<GrantRecord | null> {
    return this.grants.findLive(userId, clientType, clientId, this.clock.now());
  }

  /**
   * A consent or an admin: the user's grant to this app with these scopes and caps (replacing the
   * live one's).
   */
  grant(input: {
    userId: string;
    clientType: GrantClientType;
    clientId: string;
    scopes: string[];
    caps: GrantCaps;
    source: GrantSource;
    expiresAt?: Date | null;
    oidcGrantId?: string | null;
  }): Promise<GrantRecord> {
    return this.grants.upsert(
      { ...input, expiresAt: input.expiresAt ?? null },
      true,
      this.clock.now(),
    );
  }

  /**
   * The user completed a Google login an integration started: the integration gets a grant with
   * the default caps, unless the user already has one with it (kept as the user set it).
   */
  grantImplicitly(userId: string, integration: string, scopes: string[]): Promise<GrantRecord> {
    return this.grants.upsert(
      {
        userId,
        clientType: 'integration',
        clientId: integration,
        scopes,
        caps: this.defaultCaps(),
        source: 'implicit',
        expiresAt: null,
      },
      false,
      this.clock.now(),
    );
  }

  list(filter: { userId?: string; clientId?: string; includeRevoked?: boolean }) {
    return this.grants.list(filter, this.clock.now());
  }

  /** Changes a live grant's caps; `userId`: only the user's own (null: an admin). */
  async setCaps(id: string, userId: string | null, input: CapsInput): Promise<GrantRecord> {
    const current = await this.live(id, userId);
    const caps = this.parseCaps(input, current);
    if (!(await this.grants.setCaps(id, userId, caps, this.clock.now()))) {
      throw new GrantNotFoundError(id);
    }
    return (await this.grants.findById(id, this.clock.now()))!;
  }

  /**
   * Revokes a grant at once: the money core refuses its next operation, its OAuth tokens are
   * destroyed and its sockets disconnected (listeners of `grant.revoked`).
   */
  async revoke(id: string, userId: string | null): Promise<GrantRecord> {
    const revoked = isUuid(id) ? await this.grants.revoke(id, userId, this.clock.now()) : null;
    if (!revoked) throw new GrantNotFoundError(id);
    this.announce([revoked]);
    return revoked;
  }

  /** Revokes every grant of one app (an OAuth client an admin deleted). */
  async revokeAllOf(clientType: GrantClientType, clientId: string): Promise<void> {
    this.announce(await this.grants.revokeAllOf(clientType, clientId, this.clock.now()));
  }

  private announce(grants: GrantRecord[]): void {
    for (const grant of grants) {
      this.events.publish('grant.revoked', {
        grantId: grant.id,
        userId: grant.userId,
        clientType: grant.clientType,
        clientId: grant.clientId,
        oidcGrantId: grant.oidcGrantId,
      });
    }
  }

  private async live(id: string, userId: string | null): Promise<GrantRecord> {
    const grant = isUuid(id) ? await this.grants.findById(id, this.clock.now()) : null;
    if (!grant || grant.revokedAt || (userId !== null && grant.userId !== userId)) {
      throw new GrantNotFoundError(id);
    }
    return grant;
  }
}

/** An amount for the wire; null stays null. */
export function capText(units: bigint | null): string | null {
  return units === null ? null : formatUnits(units);
}
