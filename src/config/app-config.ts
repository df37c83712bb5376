import { randomBytes } from 'node:crypto';
import { ENVIRONMENT, RawEnvironment, VariableSpec } from './environment';

export type NodeEnv = 'development' | 'test' | 'production';

/**
 * The validated configuration: built once at boot, read by the app, the migration CLI and the
 * tests. An abstract class so Nest can inject it by type; the object itself is a plain literal.
 */
export abstract class AppConfig {
  abstract readonly nodeEnv: NodeEnv;
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly logLevel: string;
  abstract readonly database: {
    /** Unset: the embedded PostgreSQL is used. */
    url?: string;
    poolSize: number;
    embeddedDir: string;
    embeddedPort: number;
  };
  abstract readonly redis: { url?: string; keyPrefix: string };
  abstract readonly http: {
    corsOrigins: string[];
    trustProxy: boolean | number | string;
    bodyLimit: string;
    shutdownTimeoutMs: number;
  };
  abstract readonly rateLimitPerMinute: number;
  abstract readonly jwt: { secret: string; secretGenerated: boolean };
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `Configuration error: ${p}`).join('\n'));
  }
}

type Parsed = string | number | boolean | string[] | undefined;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses one value; returns an error sentence naming what the variable expects. */
function parseValue(spec: VariableSpec, raw: string): { value: Parsed } | { error: string } {
  const kind = spec.kind;
  switch (kind.type) {
    case 'string':
      return { value: raw };
    case 'int': {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max) {
        return { error: `must be an integer from ${kind.min} to ${kind.max}` };
      }
      return { value: n };
    }
    case 'bool':
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { error: 'must be true or false' };
    case 'url': {
      try {
        const url = new URL(raw);
        if (!kind.protocols.includes(url.protocol)) {
          return { error: `must be a URL starting with ${kind.protocols.join(' or ')}//` };
        }
        return { value: raw };
      } catch {
        return { error: `must be a URL starting with ${kind.protocols.join(' or ')}//` };
      }
    }
    case 'enum':
      return kind.values.includes(raw)
        ? { value: raw }
        : { error: `must be one of ${kind.values.join(', ')}` };
    case 'list':
      return {
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    case 'duration': {
      const m = DURATION.exec(raw);
      if (!m) return { error: 'must be a duration such as 500ms, 10s, 15m, 12h or 7d' };
      return { value: Number(m[1]) * DURATION_MS[m[2]] };
    }
  }
}

function describeValue(spec: VariableSpec, raw: string): string {
  return spec.secret
    ? '(secret hidden)'
    : JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
}

function parseTrustProxy(raw: string): boolean | number | string {
  if (raw === 'true') return true;
  if (raw === 'false' || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

/**
 * Validates the environment and builds the typed configuration. Every problem is reported at
 * once, one line per variable, naming the variable and what it expects.
 */
export function loadAppConfig(env: RawEnvironment): AppConfig {
  const problems: string[] = [];
  const values = new Map<string, Parsed>();
  const nodeEnv = (env.NODE_ENV?.trim() || 'development') as NodeEnv;

  for (const spec of ENVIRONMENT) {
    const raw = env[spec.name]?.trim();
    if (raw === undefined || raw === '') {
      if (nodeEnv === 'production' && spec.requiredInProduction) {
        problems.push(`${spec.name} is required when NODE_ENV=production: ${spec.description}`);
        continue;
      }
      const fallback = spec.default === undefined ? undefined : parseValue(spec, spec.default);
      values.set(spec.name, fallback && 'value' in fallback ? fallback.value : undefined);
      continue;
    }
    const parsed = parseValue(spec, raw);
    if ('error' in parsed) {
      problems.push(`${spec.name}=${describeValue(spec, raw)} is invalid: it ${parsed.error}`);
    } else {
      values.set(spec.name, parsed.value);
    }
  }

  const jwtSecret = values.get('JWT_SECRET') as string | undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    problems.push('JWT_SECRET is invalid: it must be at least 32 characters long');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);

  const str = (name: string) => values.get(name) as string;
  const num = (name: string) => values.get(name) as number;
  return {
    nodeEnv: str('NODE_ENV') as NodeEnv,
    port: num('PORT'),
    host: str('HOST'),
    logLevel: str('LOG_LEVEL'),
    database: {
      url: values.get('DATABASE_URL') as string | undefined,
      poolSize: num('DATABASE_POOL_SIZE'),
      embeddedDir: str('EMBEDDED_PG_DIR'),
      embeddedPort: num('EMBEDDED_PG_PORT'),
    },
    redis: {
      url: values.get('REDIS_URL') as string | undefined,
      keyPrefix: str('REDIS_KEY_PREFIX'),
    },
    http: {
      corsOrigins: values.get('CORS_ORIGINS') as string[],
      trustProxy: parseTrustProxy(str('TRUST_PROXY')),
      bodyLimit: str('BODY_LIMIT'),
      shutdownTimeoutMs: num('SHUTDOWN_TIMEOUT'),
    },
    rateLimitPerMinute: num('RATE_LIMIT_PER_MINUTE'),
    jwt: {
      // Development convenience only: tokens die with the process. Production must set it.
      secret: jwtSecret ?? randomBytes(48).toString('base64url'),
      secretGenerated: jwtSecret === undefined,
    },
  };
}
