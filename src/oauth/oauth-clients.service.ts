import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { formatUnits } from '../common/money/credit-amount';
import { Clock } from '../common/time/clock';
import type { GrantCaps } from '../grants/grant';
import { GrantsService } from '../grants/grants.service';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';
import { hashClientSecret, OAuthServer } from './oauth-server';
import { HUB_SCOPES, PROTOCOL_SCOPES } from './oauth-scopes';
import type { ClientMetadata } from './oidc';

export class OAuthClientNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super('OAuth client not found', { client_id: id });
  }
}

export class InvalidOAuthClientError extends DomainError {
  readonly kind = 'invalid';
}

/** The grant a client proposes at consent: decimal text, null for "no cap". */
export interface DefaultGrant {
  period: 'day' | 'month';
  period_cap: string | null;
  total_cap: string | null;
}

export interface OAuthClientInput {
  client_name: string;
  logo_uri?: string | null;
  redirect_uris: string[];
  client_type: 'confidential' | 'public';
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
  scopes: string[];
  default_grant?: Partial<DefaultGrant> | null;
  pkce_required?: boolean;
}

/** A client as the hub keeps it (oidc-provider's metadata plus ours). */
export interface OAuthClientView {
  clientId: string;
  name: string;
  logoUri: string | null;
  redirectUris: string[];
  clientType: 'confidential' | 'public';
  tokenEndpointAuthMethod: string;
  scopes: string[];
  defaultGrant: DefaultGrant;
  pkceRequired: boolean;
  registeredBy: 'admin' | 'dynamic';
  createdAt: Date | null;
  updatedAt: Date | null;
}

type StoredClient = ClientMetadata & {
  pkce_required?: boolean;
  default_grant?: DefaultGrant;
  created_at?: string;
  updated_at?: string;
  registered_by?: 'admin' | 'dynamic';
};

/**
 * OAuth clients: registered by admins (`/api/admin/oauth/clients`), or dynamically by MCP
 * clients (public only). Stored as oidc-provider's `Client` model in `oauth_payloads`, the
 * secret as its SHA-256 (shown once, at creation).
 */
@Injectable()
export class OAuthClientsService {
  constructor(
    private readonly payloads: OAuthPayloadsRepository,
    private readonly server: OAuthServer,
    private readonly grants: GrantsService,
    private readonly clock: Clock,
  ) {}

  async create(
    input: OAuthClientInput,
  ): Promise<{ client: OAuthClientView; secret: string | null }> {
    const clientId = `hub_${randomBytes(12).toString('base64url')}`;
    const secret =
      input.client_type === 'confidential' ? randomBytes(32).toString('base64url') : null;
    const now = this.clock.now().toISOString();
    const metadata = this.metadata(clientId, input, {
      client_secret: secret === null ? undefined : hashClientSecret(secret),
      created_at: now,
      updated_at: now,
    });
    await this.validate(metadata);
    await this.payloads.upsert('Client', clientId, metadata, null);
    return { client: this.view(metadata), secret };
  }

  async list(): Promise<OAuthClientView[]> {
    return (await this.payloads.listClients()).map((c) => this.view(c as StoredClient));
  }

  async get(clientId: string): Promise<OAuthClientView> {
    return this.view(await this.stored(clientId));
  }

  /** The client's own proposal at consent (its `default_grant`, else GRANT_DEFAULT_*). */
  async defaultCaps(clientId: string): Promise<GrantCaps> {
    const stored = await this.payloads.find('Client', 'id', clientId, this.clock.now());
    const proposal = (stored?.payload as StoredClient | undefined)?.default_grant;
    if (!proposal) return this.grants.defaultCaps();
    return this.grants.parseCaps(proposal, this.grants.defaultCaps());
  }

  /** Replaces what the input names; the secret and client id stay. */
  async update(clientId: string, input: Partial<OAuthClientInput>): Promise<OAuthClientView> {
    const current = await this.stored(clientId);
    const view = this.view(current);
    if (input.client_type !== undefined && input.client_type !== view.clientType) {
      throw new InvalidOAuthClientError('client_type cannot change: register a new client');
    }
    const merged: OAuthClientInput = {
      client_name: input.client_name ?? view.name,
      logo_uri: input.logo_uri === undefined ? view.logoUri : input.logo_uri,
      redirect_uris: input.redirect_uris ?? view.redirectUris,
      client_type: view.clientType,
      token_endpoint_auth_method:
        input.token_endpoint_auth_method ??
        (view.tokenEndpointAuthMethod as OAuthClientInput['token_endpoint_auth_method']),
      scopes: input.scopes ?? view.scopes,
      default_grant: input.default_grant === undefined ? view.defaultGrant : input.default_grant,
      pkce_required: input.pkce_required ?? view.pkceRequired,
    };
    const metadata = this.metadata(clientId, merged, {
      client_secret: current.client_secret,
      created_at: current.created_at,
      updated_at: this.clock.now().toISOString(),
    });
    await this.validate(metadata);
    await this.payloads.upsert('Client', clientId, metadata, null);
    return this.view(metadata);
  }

  /** Removes the client, revokes every grant users gave it and every token it holds. */
  async remove(clientId: string): Promise<OAuthClientView> {
    const view = this.view(await this.stored(clientId));
    await this.payloads.destroy('Client', clientId);
    await this.grants.revokeAllOf('oauth', clientId);
    await this.payloads.revokeAllOfClient(clientId);
    return view;
  }

  private async stored(clientId: string): Promise<StoredClient> {
    const found = await this.payloads.find('Client', 'id', clientId, this.clock.now());
    if (!found) throw new OAuthClientNotFoundError(clientId);
    return found.payload as StoredClient;
  }

  private metadata(
    clientId: string,
    input: OAuthClientInput,
    extra: { client_secret?: string; created_at?: string; updated_at?: string },
  ): StoredClient {
    const confidential = input.client_type === 'confidential';
    const pkceRequired = input.pkce_required ?? true;
    if (!confidential && !pkceRequired) {
      throw new InvalidOAuthClientError('pkce_required must be true for a public client');
    }
    const unknown = input.scopes.filter((s) => !(HUB_SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0 || input.scopes.length === 0) {
      throw new InvalidOAuthClientError(`scopes must be some of ${HUB_SCOPES.join(', ')}`);
    }
    const caps = this.grants.parseCaps(input.default_grant ?? {}, this.grants.defaultCaps());
    const text = (units: bigint | null) => (units === null ? null : formatUnits(units));
    return {
      client_id: clientId,
      ...(extra.client_secret ? { client_secret: extra.client_secret } : {}),
      client_name: input.client_name,
      ...(input.logo_uri ? { logo_uri: input.logo_uri } : {}),
      redirect_uris: input.redirect_uris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: confidential
        ? (input.token_endpoint_auth_method ?? 'client_secret_post')
        : 'none',
      scope: [...PROTOCOL_SCOPES, ...new Set(input.scopes)].join(' '),
      pkce_required: pkceRequired,
      default_grant: {
        period: caps.period,
        period_cap: text(caps.periodCap),
        total_cap: text(caps.totalCap),
      },
      registered_by: 'admin',
      created_at: extra.created_at,
      updated_at: extra.updated_at,
    };
  }

  /** oidc-provider's own metadata rules (redirect URIs, auth methods…) → 400 naming the problem. */
  private async validate(metadata: StoredClient): Promise<void> {
    try {
      await (
        this.server.provider.Client as unknown as { validate(m: object): Promise<void> }
      ).validate(metadata);
    } catch (error) {
      const description =
        (error as { error_description?: string }).error_description ??
        (error instanceof Error ? error.message : 'invalid client metadata');
      throw new InvalidOAuthClientError(description);
    }
  }

  private view(c: StoredClient): OAuthClientView {
    const scopes = (c.scope ?? '')
      .split(' ')
      .filter((s) => (HUB_SCOPES as readonly string[]).includes(s));
    return {
      clientId: c.client_id,
      name: c.client_name ?? c.client_id,
      logoUri: c.logo_uri ?? null,
      redirectUris: [...(c.redirect_uris ?? [])],
      clientType: c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
      tokenEndpointAuthMethod: c.token_endpoint_auth_method ?? 'client_secret_basic',
      scopes,
      defaultGrant: c.default_grant ?? { period: 'month', period_cap: null, total_cap: null },
      pkceRequired: c.token_endpoint_auth_method === 'none' || c.pkce_required !== false,
      registeredBy: c.registered_by ?? 'dynamic',
      createdAt: c.created_at ? new Date(c.created_at) : null,
      updatedAt: c.updated_at ? new Date(c.updated_at) : null,
    };
  }
}
