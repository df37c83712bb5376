import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { urlencoded } from 'express';
import {
  Adapter,
  AdapterPayload,
  ClientMetadata,
  Configuration,
  errors,
  KoaContextWithOIDC,
  Provider,
} from './oidc';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { AuthEvents } from '../auth/events/auth-events';
import { UsersService } from '../auth/users.service';
import { GrantsService } from '../grants/grants.service';
import { CimdGuard } from './cimd-guard';
import { OAuthKeys } from './oauth-keys';
import { OAuthPayloadsRepository } from './oauth-payloads.repository';
import { ALL_SCOPES } from './oauth-scopes';
import { renderErrorPage } from './pages/error-page';

/** Models whose use must be single: a second use is a replay. */
const SINGLE_USE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode']);

/** `client_secret` as stored: never the secret itself (oidc-provider compares through us). */
export function hashClientSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('base64url')}`;
}

function secretMatches(stored: string | undefined, presented: string): boolean {
  if (!stored?.startsWith('sha256:')) return false;
  const a = Buffer.from(stored);
  const b = Buffer.from(hashClientSecret(presented));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The paths that name the authorization server's metadata (RFC 8414 §3, OIDC discovery). */
const METADATA_ALIASES = new Set([
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-authorization-server/oauth',
  '/.well-known/openid-configuration',
  '/.well-known/openid-configuration/oauth',
]);

/** Our own pages under /oauth (sign-in and consent), served by Nest, not by the provider. */
export const INTERACTION_PATH = '/oauth/interaction';

/**
 * The OAuth 2.1 authorization server: oidc-provider (certified, maintained) configured for the
 * hub and mounted under `/oauth` in the same HTTP server. What it owns: the protocol endpoints
 * (authorize, token, revocation, introspection, registration, JWKS, discovery). What the hub adds:
 * PostgreSQL storage (`OAuthPayloadsRepository`), accounts (`findAccount`), hashed client secrets,
 * per-client PKCE, resource servers (the credit API, the chat socket) and the SSRF guard of
 * Client ID Metadata Document fetches. Sign-in and consent are the hub's pages
 * (`InteractionController`).
 */
@Injectable()
export class OAuthServer implements OnModuleInit {
  private readonly logger = new Logger(OAuthServer.name);
  private instance?: Provider;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly payloads: OAuthPayloadsRepository,
    private readonly keys: OAuthKeys,
    private readonly users: UsersService,
    private readonly cimd: CimdGuard,
    private readonly grants: GrantsService,
    private readonly authEvents: AuthEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    this.instance = this.build(await this.keys.load());
  }

  get provider(): Provider {
    if (!this.instance) throw new Error('The OAuth server has not started');
    return this.instance;
  }

  /**
   * Express middleware: `/oauth/*` (but our interaction pages) and the metadata aliases go to the
   * provider; everything else goes on. Installed before the JSON body parser, since the provider
   * reads its own (form-encoded) bodies.
   */
  middleware(): RequestHandler {
    const forms = urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });
    const issuer = new URL(this.config.oauth.issuer);
    return (req: Request, res: Response, next: NextFunction) => {
      const path = req.path;
      if (path.startsWith(`${INTERACTION_PATH}/`)) {
        // Our sign-in and consent forms: parsed here, then checked like any body (inputGuard).
        return req.method === 'POST' ? forms(req, res, next) : next();
      }
      if (METADATA_ALIASES.has(path) && (req.method === 'GET' || req.method === 'OPTIONS')) {
        req.originalUrl = '/oauth/.well-known/openid-configuration';
        req.url = '/.well-known/openid-configuration';
      } else if (path.startsWith('/oauth/') && !path.startsWith(`${INTERACTION_PATH}/`)) {
        req.url = req.url.slice('/oauth'.length);
      } else {
        return next();
      }
      // The provider builds the URLs it publishes (metadata, the resume step) from the request's
      // host and protocol, and with TRUST_PROXY (koa `proxy`) it would take them from
      // X-Forwarded-Host/-Proto: any client could then have its own host written into a metadata
      // document a cache serves to everyone. They are the issuer's, from configuration only.
      delete req.headers['x-forwarded-host'];
      req.headers.host = issuer.host;
      req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
      void this.provider.callback()(req, res);
    };
  }

  private build(jwks: { keys: Record<string, unknown>[] }): Provider {
    const { oauth } = this.config;
    const servers = new Map([
      [oauth.resource, 'credits:read credits:spend profile chat'],
      [oauth.chatResource, 'chat profile'],
    ]);
    const users = this.users;
    const cookieKey = createHmac('sha256', this.config.jwt.secret).update('oauth-cookies').digest();

    const configuration: Configuration = {
      adapter: this.adapterClass(),
      clients: [],
      jwks: jwks,
      cookies: {
        keys: [cookieKey.toString('base64url')],
        long: { httpOnly: true, sameSite: 'lax' },
        short: { httpOnly: true, sameSite: 'lax' },
      },
      scopes: [...ALL_SCOPES],
      claims: { openid: ['sub'], profile: ['name', 'email'] },
      responseTypes: ['code'],
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
      enabledJWA: {
        idTokenSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
      },
      extraClientMetadata: {
        properties: ['pkce_required', 'default_grant', 'created_at', 'updated_at', 'registered_by'],
        validator(ctx, key, value, metadata) {
          if (key === 'pkce_required' && value !== undefined && typeof value !== 'boolean') {
            throw new errors.InvalidClientMetadata('pkce_required must be a boolean');
          }
          // Dynamic registration (RFC 7591) is for MCP clients: public clients only, so the hub
          // never hands out a secret to an app nobody vetted.
          if (
            key === 'registered_by' &&
            ctx?.oidc?.route === 'registration' &&
            metadata.token_endpoint_auth_method !== 'none'
          ) {
            throw new errors.InvalidClientMetadata(
              'dynamic registration is for public clients: token_endpoint_auth_method must be none',
            );
          }
        },
      },
      pkce: {
        // Public clients always; a confidential client unless an admin turned it off for it
        // (ChatGPT GPT Actions send no PKCE; client authentication and single-use 60 s codes
        // stand in).
        required: (_ctx, client) =>
          client.clientAuthMethod === 'none' || client['pkce_required'] !== false,
      },
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: { enabled: false },
        pushedAuthorizationRequests: { enabled: false },
        dPoP: { enabled: false },
        userinfo: { enabled: true },
        // A client revokes only tokens issued to it.
        revocation: {
          enabled: true,
          allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
        },
        introspection: {
          enabled: true,
          // A public client may only look at its own tokens; a confidential one (an
          // integration's backend) at any token issued to it or presented to it.
          allowedPolicy: (ctx, client, token) =>
            client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
        },
        registration: {
          enabled: oauth.dynamicRegistration,
          // No registration management (RFC 7592): a client registers again instead.
          issueRegistrationAccessToken: false,
        },
        clientIdMetadataDocument: {
          enabled: oauth.dynamicRegistration,
          ack: 'draft-02',
          allowFetch: (_ctx, clientId) => this.cimd.allowFetch(clientId),
        },
        resourceIndicators: {
          enabled: true,
          // GPT Actions send no `resource`: their tokens are for the credit API.
          defaultResource: (_ctx, _client, oneOf) => oneOf ?? oauth.resource,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator) => {
            const scope = servers.get(indicator);
            if (!scope) throw new errors.InvalidTarget('unknown resource');
            return {
              scope,
              audience: indicator,
              accessTokenFormat: 'opaque',
              accessTokenTTL: oauth.accessTokenTtlSeconds,
            };
          },
        },
      },
      // CimdGuard connects by itself (to the addresses it checked): the provider's dispatcher is unused.
      fetch: (url, options) => this.cimd.fetch(url as string | URL, options ?? {}),
      fetchResponseBodyLimits: { 'client_id metadata document': 5 * 1024 },
      // Refresh tokens for every client allowed the grant type (GPT Actions ask no offline_access).
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      rotateRefreshToken: true,
      expiresWithSession: () => false,
      ttl: {
        AuthorizationCode: 60,
        AccessToken: oauth.accessTokenTtlSeconds,
        RefreshToken: oauth.refreshTokenTtlSeconds,
        Grant: oauth.refreshTokenTtlSeconds,
        Interaction: 600,
        Session: 14 * 24 * 3600,
        IdToken: 3600,
      },
      // The user's earlier consent stands only while their spending grant to the app is live.
      loadExistingGrant: async (ctx) => {
        const clientId = ctx.oidc.client?.clientId;
        const accountId = ctx.oidc.session?.accountId;
        const grantId =
          (ctx.oidc.result?.consent as { grantId?: string } | undefined)?.grantId ??
          (clientId ? ctx.oidc.session?.grantIdFor(clientId) : undefined);
        if (!grantId || !clientId || !accountId) return undefined;
        if (!(await this.grants.findLive(accountId, 'oauth', clientId))) return undefined;
        return ctx.oidc.provider.Grant.find(grantId);
      },
      interactions: {
        url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`,
      },
      async findAccount(_ctx, sub) {
        const user = await users.findById(sub);
        if (!user || user.status !== 'active') return undefined;
        return {
          accountId: user.id,
          claims: () => ({ sub: user.id, name: user.name, email: user.email }),
        };
      },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = renderErrorPage(out);
      },
    };
    const provider = new Provider(oauth.issuer, configuration);
    provider.proxy = this.config.http.trustProxy !== false && this.config.http.trustProxy !== 0;
    // Secrets are stored hashed; the provider compares through this (RFC 6749 §2.3.1 allows any
    // comparison; ours is SHA-256 of a 256-bit random secret, in constant time).
    provider.Client.prototype.compareClientSecret = function (
      this: { clientSecret?: string },
      actual: string,
    ) {
      return secretMatches(this.clientSecret, actual);
    };
    provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) =>
      this.logger.error({ err: error.message, stack: error.stack }, 'OAuth server error'),
    );
    // An app's login ended: one access token revoked (RFC 7009), or every token of an
    // oidc-provider grant (a refresh token revoked or reused). Long-lived connections (the chat
    // socket) re-check the user's credentials at once.
    provider.on('access_token.destroyed', (token: { accountId?: string; jti: string }) =>
      this.loginRevoked(token.accountId, token.jti, 'OAuth access token revoked'),
    );
    provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
      const { RefreshToken, AccessToken } = ctx.oidc.entities;
      this.loginRevoked((RefreshToken ?? AccessToken)?.accountId, grantId, 'OAuth grant revoked');
    });
    return provider;
  }

  private loginRevoked(userId: string | undefined, loginId: string, reason: string): void {
    if (userId) this.authEvents.publish('login.revoked', { userId, loginId, reason });
  }

  /** oidc-provider's storage interface over `oauth_payloads`. */
  private adapterClass(): new (model: string) => Adapter {
    const payloads = this.payloads;
    const clock = this.clock;
    const expiry = (seconds: number | undefined) =>
      seconds ? new Date(clock.now().getTime() + seconds * 1000) : null;
    const toPayload = (found: Awaited<ReturnType<OAuthPayloadsRepository['find']>>) => {
      if (!found) return undefined;
      const payload = found.payload as AdapterPayload;
      return found.consumed ? { ...payload, consumed: Math.floor(Date.now() / 1000) } : payload;
    };
    return class PostgresAdapter implements Adapter {
      constructor(private readonly model: string) {}

      async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
        let stored = payload as Record<string, unknown>;
        if (this.model === 'Client') {
          // Only dynamic registration stores clients through here (admins' go through
          // OAuthClientsService): such a client proposes no spending cap of its own (consent
          // proposes GRANT_DEFAULT_CAP) and cannot turn PKCE off.
          stored = { ...stored, registered_by: 'dynamic', pkce_required: true };
          delete stored.default_grant;
          const secret = (payload as ClientMetadata).client_secret;
          if (typeof secret === 'string' && !secret.startsWith('sha256:')) {
            stored = { ...stored, client_secret: hashClientSecret(secret) };
          }
        }
        await payloads.upsert(this.model, id, stored, expiry(expiresIn));
      }

      async find(id: string) {
        return toPayload(await payloads.find(this.model, 'id', id, clock.now()));
      }

      async findByUid(uid: string) {
        return toPayload(await payloads.find(this.model, 'uid', uid, clock.now()));
      }

      async findByUserCode(userCode: string) {
        return toPayload(await payloads.find(this.model, 'user_code', userCode, clock.now()));
      }

      async consume(id: string): Promise<void> {
        if (await payloads.consume(this.model, id, clock.now())) return;
        if (!SINGLE_USE.has(this.model)) return;
        // Another request used it first (a replay racing the real use): end everything it gave.
        const found = await payloads.find(this.model, 'id', id, clock.now());
        const grantId = found?.payload.grantId;
        if (typeof grantId === 'string') await payloads.revokeByGrantId(grantId);
        throw new errors.InvalidGrant('grant request is invalid');
      }

      async destroy(id: string): Promise<void> {
        await payloads.destroy(this.model, id);
      }

      async revokeByGrantId(grantId: string): Promise<void> {
        await payloads.revokeByGrantId(grantId);
      }
    };
  }
}
