import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import type { Keyv } from 'keyv';
import { Clock } from '../common/time/clock';
import { equalSecrets, randomToken, sha256Hex } from '../auth/secrets';
import { InvalidOAuthStateError } from './google.errors';

export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** What the login remembers between the redirect to Google and the callback. */
export interface PendingGoogleLogin {
  /** The third party's session id (session mode); absent in traditional mode. */
  session?: string;
  returnTo: string;
  createdAt: number;
}

/**
 * OAuth `state`: 256 random bits, single use, 10 minutes, kept server-side in the cache (Redis
 * when configured) under its hash, together with `session`/`return_to`. The browser holds the
 * same value in an HttpOnly cookie, so a callback only counts in the browser that started it.
 */
@Injectable()
export class OAuthStateService {
  private readonly store: Keyv;

  constructor(
    @Inject(CACHE_MANAGER) cache: Cache,
    private readonly clock: Clock,
  ) {
    this.store = cache.stores[0];
  }

  private key(state: string): string {
    return `oauth-state:${sha256Hex(state)}`;
  }

  async create(login: Omit<PendingGoogleLogin, 'createdAt'>): Promise<string> {
    const state = randomToken();
    const pending: PendingGoogleLogin = { ...login, createdAt: this.clock.now().getTime() };
    await this.store.set(this.key(state), pending, OAUTH_STATE_TTL_MS);
    return state;
  }

  /** Checks the callback's state against the cookie and uses it up; throws when it does not hold. */
  async consume(
    fromQuery: string | undefined,
    fromCookie: string | undefined,
  ): Promise<PendingGoogleLogin> {
    if (!fromQuery || !fromCookie) throw new InvalidOAuthStateError('missing');
    if (!equalSecrets(fromQuery, fromCookie)) throw new InvalidOAuthStateError('mismatched');
    const key = this.key(fromQuery);
    const pending = (await this.store.get<PendingGoogleLogin>(key)) ?? undefined;
    // The delete decides who wins when one state is replayed concurrently: only one caller
    // removes the entry (Redis UNLINK / Map.delete report it).
    if (!pending || !(await this.store.delete(key))) throw new InvalidOAuthStateError('unknown');
    if (this.clock.now().getTime() - pending.createdAt > OAUTH_STATE_TTL_MS) {
      throw new InvalidOAuthStateError('expired');
    }
    return pending;
  }
}
