import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { ConfigValues, VariableSpec } from '../config-values';

/** Server, database, Redis and HTTP: the foundation every feature runs on. */
export const PLATFORM_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'NODE_ENV',
    kind: { type: 'enum', values: ['development', 'test', 'production'] },
    default: 'development',
    description: 'Runtime mode; `production` refuses convenience defaults for secrets.',
  },
  {
    name: 'PORT',
    kind: { type: 'int', min: 0, max: 65535 },
    default: '3000',
    description: 'HTTP port (0 picks a free one).',
  },
  {
    name: 'HOST',
    kind: { type: 'string' },
    default: '0.0.0.0',
    description: 'Interface the HTTP server binds to.',
  },
  {
    name: 'LOG_LEVEL',
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    description: 'Minimum level of the JSON logs.',
  },
  {
    name: 'DATABASE_URL',
    kind: { type: 'url', protocols: ['postgres:', 'postgresql:'] },
    description:
      'PostgreSQL connection URL. Unset: an embedded PostgreSQL is started with data in EMBEDDED_PG_DIR.',
    requiredInProduction: true,
  },
  {
    name: 'DATABASE_POOL_SIZE',
    kind: { type: 'int', min: 1, max: 500 },
    default: '20',
    description: 'Maximum PostgreSQL connections held by one server process.',
  },
  {
    name: 'EMBEDDED_PG_DIR',
    kind: { type: 'string' },
    default: './.data/postgres',
    description: 'Data directory of the embedded PostgreSQL (only without DATABASE_URL).',
  },
  {
    name: 'EMBEDDED_PG_PORT',
    kind: { type: 'int', min: 1, max: 65535 },
    default: '54329',
    description: 'Port of the embedded PostgreSQL, bound to 127.0.0.1 (only without DATABASE_URL).',
  },
  {
    name: 'REDIS_URL',
    kind: { type: 'url', protocols: ['redis:', 'rediss:'] },
    description:
      'Redis for cache, rate limits and Socket.IO fan-out. Unset: in-process equivalents (single instance).',
  },
  {
    name: 'REDIS_KEY_PREFIX',
    kind: { type: 'string' },
    default: 'sah:',
    description: 'Prefix of every Redis key this server writes.',
  },
  {
    name: 'REDIS_COMMAND_TIMEOUT',
    kind: { type: 'duration' },
    default: '250ms',
    description:
      'Longest wait for any Redis call; slower counts as Redis down (fall back to PostgreSQL / process memory) until a probe answers again.',
  },
  {
    name: 'CORS_ORIGINS',
    kind: { type: 'list' },
    default: '',
    description: 'Comma-separated origins allowed by CORS; empty allows none, `*` allows any.',
  },
  {
    name: 'TRUST_PROXY',
    kind: { type: 'string' },
    default: 'false',
    description:
      'Express `trust proxy`: `false`, the number of proxies in front (e.g. `1`) or a comma-separated list of their addresses/subnets (`loopback`, `10.0.0.0/8`), so the client IP is right behind a balancer. `true` is refused: it would believe any client-sent X-Forwarded-For.',
  },
  {
    name: 'RATE_LIMIT_PER_MINUTE',
    kind: { type: 'int', min: 1, max: 1_000_000 },
    default: '600',
    description: 'General request limit per client IP and minute.',
  },
  {
    name: 'BODY_LIMIT',
    kind: { type: 'string' },
    default: '16kb',
    description:
      'Largest accepted JSON body (bytes or e.g. `16kb`) of routes open without a credential (login, register, …); larger → 413.',
  },
  {
    name: 'BODY_LIMIT_AUTHENTICATED',
    kind: { type: 'string' },
    default: '64kb',
    description:
      'Largest JSON body of the credits API and the admin API (ledger metadata of up to 8 KB, sent escaped), for requests carrying a credential header; larger → 413.',
  },
  {
    name: 'BODY_MAX_DEPTH',
    kind: { type: 'int', min: 2, max: 1000 },
    default: '32',
    description: 'Deepest nesting of objects and arrays accepted in a JSON body; deeper → 400.',
  },
  {
    name: 'SHUTDOWN_TIMEOUT',
    kind: { type: 'duration' },
    default: '10s',
    description:
      'How long in-flight requests may take to finish on SIGTERM before connections are cut.',
  },
  {
    name: 'METRICS_TOKEN',
    kind: { type: 'string' },
    description:
      'Bearer token Prometheus sends to scrape `/metrics` (≥16 characters). Unset: `/metrics` answers 404.',
    secret: true,
  },
  {
    name: 'JWT_SECRET',
    kind: { type: 'string' },
    description:
      'Signing key of access tokens (≥32 characters). Outside production a random one is generated per start.',
    secret: true,
    requiredInProduction: true,
  },
];

export type NodeEnv = 'development' | 'test' | 'production';

export interface PlatformConfig {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  logLevel: string;
  database: {
    /** Unset: the embedded PostgreSQL is used. */
    url?: string;
    poolSize: number;
    embeddedDir: string;
    embeddedPort: number;
  };
  redis: { url?: string; keyPrefix: string; commandTimeoutMs: number };
  http: {
    corsOrigins: string[];
    trustProxy: false | number | string;
    bodyLimit: string;
    bodyLimitAuthenticated: string;
    bodyMaxDepth: number;
    shutdownTimeoutMs: number;
  };
  rateLimitPerMinute: number;
  jwt: { secret: string; secretGenerated: boolean };
  /** Unset: /metrics is off. */
  metricsToken?: string;
}

/**
 * S-13: `false`, a hop count or a list of proxy addresses/subnets. `true` would believe every
 * `X-Forwarded-For` a client sends (any per-IP limit bypassed, any address in the audit log).
 */
function parseTrustProxy(v: ConfigValues, raw: string): false | number | string {
  if (raw === 'false' || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const problem =
    raw === 'true'
      ? 'true would trust any X-Forwarded-For a client sends'
      : raw
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => !TRUST_PROXY_NAMES.includes(entry) && !isSubnet(entry))
          .map((entry) => `${JSON.stringify(entry)} is neither an IP address nor a subnet`)[0];
  if (problem) {
    v.problem(
      `TRUST_PROXY is invalid: ${problem}; give the number of proxies in front (e.g. 1) or their addresses/subnets (e.g. loopback, 10.0.0.0/8)`,
    );
    return false;
  }
  return raw;
}

const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isSubnet(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

export function buildPlatformConfig(v: ConfigValues): PlatformConfig {
  const jwtSecret = v.optionalString('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    v.problem('JWT_SECRET is invalid: it must be at least 32 characters long');
  }
  const metricsToken = v.optionalString('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    v.problem('METRICS_TOKEN is invalid: it must be at least 16 characters long');
  }
  return {
    nodeEnv: v.string('NODE_ENV') as NodeEnv,
    port: v.number('PORT'),
    host: v.string('HOST'),
    logLevel: v.string('LOG_LEVEL'),
    database: {
      url: v.optionalString('DATABASE_URL'),
      poolSize: v.number('DATABASE_POOL_SIZE'),
      embeddedDir: v.string('EMBEDDED_PG_DIR'),
      embeddedPort: v.number('EMBEDDED_PG_PORT'),
    },
    redis: {
      url: v.optionalString('REDIS_URL'),
      keyPrefix: v.string('REDIS_KEY_PREFIX'),
      commandTimeoutMs: v.number('REDIS_COMMAND_TIMEOUT'),
    },
    http: {
      corsOrigins: v.list('CORS_ORIGINS'),
      trustProxy: parseTrustProxy(v, v.string('TRUST_PROXY')),
      bodyLimit: v.string('BODY_LIMIT'),
      bodyLimitAuthenticated: v.string('BODY_LIMIT_AUTHENTICATED'),
      bodyMaxDepth: v.number('BODY_MAX_DEPTH'),
      shutdownTimeoutMs: v.number('SHUTDOWN_TIMEOUT'),
    },
    rateLimitPerMinute: v.number('RATE_LIMIT_PER_MINUTE'),
    jwt: {
      // Development convenience only: tokens die with the process. Production must set it.
      secret: jwtSecret ?? randomBytes(48).toString('base64url'),
      secretGenerated: jwtSecret === undefined,
    },
    metricsToken,
  };
}
