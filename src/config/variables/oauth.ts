import type { ConfigValues, VariableSpec } from '../config-values';
import { decimal } from './credits';

/** The OAuth 2.1 authorization server (/oauth) and the spending grants apps get. */
export const OAUTH_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'OAUTH_ISSUER',
    kind: { type: 'url', protocols: ['https:', 'http:'] },
    description:
      "The authorization server's issuer: this hub's public URL + `/oauth`, e.g. `https://hub.example.com/oauth` (default: `http://localhost:<PORT>/oauth`). Tokens, metadata and the protected-resource document name it.",
  },
  {
    name: 'OAUTH_JWKS',
    kind: { type: 'string' },
    description:
      'The authorization server\'s private signing keys (ID tokens), a JSON Web Key Set: `{"keys":[{"kty":"EC","crv":"P-256","d":…,"kid":…}]}`; the first key signs, the others stay published while they retire. Unset: one P-256 key is generated at first start and kept in PostgreSQL (shared by every instance; set this in production to control rotation).',
    secret: true,
  },
  {
    name: 'OAUTH_ACCESS_TOKEN_TTL',
    kind: { type: 'duration' },
    default: '1h',
    description: 'Lifetime of an OAuth access token.',
  },
  {
    name: 'OAUTH_REFRESH_TOKEN_TTL',
    kind: { type: 'duration' },
    default: '30d',
    description: 'Lifetime of an OAuth refresh token (rotated on every use).',
  },
  {
    name: 'OAUTH_DYNAMIC_REGISTRATION',
    kind: { type: 'bool' },
    default: 'true',
    description:
      'Allow dynamic client registration (RFC 7591, public clients only) and Client ID Metadata Documents for MCP clients.',
  },
  {
    name: 'GRANT_DEFAULT_PERIOD',
    kind: { type: 'enum', values: ['day', 'month'] },
    default: 'month',
    description:
      'Period of the spending cap a new grant proposes (OAuth consent, implicit grants).',
  },
  {
    name: 'GRANT_DEFAULT_CAP',
    kind: { type: 'string' },
    default: '100',
    description:
      'Credits per period a new grant proposes when the client sets none, and the cap of an implicit grant (an integration whose Google login the user completed).',
  },
];

/** The path of the credit API, the protected resource OAuth tokens are bound to. */
export const CREDIT_RESOURCE_PATH = '/api/mcp/v1';

export interface OAuthConfig {
  /** OAUTH_ISSUER, else `http://localhost:<PORT>/oauth`. */
  issuer: string;
  /** The credit API as an OAuth protected resource (RFC 8707 `resource`, tokens' audience). */
  resource: string;
  /** Its RFC 9728 metadata document. */
  resourceMetadataUrl: string;
  /** The chat socket (`/mcp`) as a second protected resource: a token for it is not one for the credit API. */
  chatResource: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  dynamicRegistration: boolean;
  defaultPeriod: 'day' | 'month';
  /** Decimal text. */
  defaultCap: string;
  /** OAUTH_JWKS parsed; null: generated once and kept in PostgreSQL. */
  jwks: { keys: Record<string, unknown>[] } | null;
}

export function buildOAuthConfig(v: ConfigValues, port: number): OAuthConfig {
  const issuer = (v.optionalString('OAUTH_ISSUER') ?? `http://localhost:${port}/oauth`).replace(
    /\/+$/,
    '',
  );
  // An invalid PORT was reported already; the URL only has to parse.
  const origin = URL.canParse(issuer) ? new URL(issuer).origin : 'http://localhost';
  return {
    issuer,
    resource: `${origin}${CREDIT_RESOURCE_PATH}`,
    resourceMetadataUrl: `${origin}/.well-known/oauth-protected-resource${CREDIT_RESOURCE_PATH}`,
    chatResource: `${origin}/mcp`,
    accessTokenTtlSeconds: Math.floor(v.number('OAUTH_ACCESS_TOKEN_TTL') / 1000),
    refreshTokenTtlSeconds: Math.floor(v.number('OAUTH_REFRESH_TOKEN_TTL') / 1000),
    dynamicRegistration: v.boolean('OAUTH_DYNAMIC_REGISTRATION'),
    defaultPeriod: v.string('GRANT_DEFAULT_PERIOD') as 'day' | 'month',
    defaultCap: decimal(v, 'GRANT_DEFAULT_CAP', true),
    jwks: parseJwks(v),
  };
}

function parseJwks(v: ConfigValues): OAuthConfig['jwks'] {
  const raw = v.optionalString('OAUTH_JWKS');
  if (raw === undefined) return null;
  try {
    const parsed = JSON.parse(raw) as { keys?: unknown };
    const keys = Array.isArray(parsed.keys) ? (parsed.keys as unknown[]) : [];
    if (keys.length > 0 && keys.every((k) => typeof k === 'object' && k !== null && 'd' in k)) {
      return { keys: keys };
    }
  } catch {
    // reported below
  }
  v.problem('OAUTH_JWKS is invalid: it must be a JSON Web Key Set of private keys ({"keys":[…]})');
  return null;
}
