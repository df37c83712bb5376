import { ConfigValues, Parsed, VariableSpec } from './config-values';
import { ENVIRONMENT, RawEnvironment } from './environment';
import { buildCreditsConfig, CreditsConfig } from './variables/credits';
import { AuthConfig, buildAuthConfig } from './variables/auth';
import { buildMcpConfig, McpConfig } from './variables/mcp';
import { buildPlatformConfig, PlatformConfig } from './variables/platform';
import { buildSessionConfig, SessionConfig } from './variables/session';
import { buildOAuthConfig, OAuthConfig } from './variables/oauth';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `Configuration error: ${p}`).join('\n'));
  }
}

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

/**
 * The validated configuration: built once at boot, read by the app, the migration CLI and the
 * tests. An abstract class so Nest can inject it by type; the object itself is a plain literal.
 * Each area's part is declared and built in its own file under `variables/`.
 */
export abstract class AppConfig implements PlatformConfig {
  abstract readonly nodeEnv: PlatformConfig['nodeEnv'];
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly logLevel: string;
  abstract readonly database: PlatformConfig['database'];
  abstract readonly redis: PlatformConfig['redis'];
  abstract readonly http: PlatformConfig['http'];
  abstract readonly rateLimitPerMinute: number;
  abstract readonly jwt: PlatformConfig['jwt'];
  abstract readonly metricsToken?: string;
  abstract readonly session: SessionConfig;
  abstract readonly credits: CreditsConfig;
  abstract readonly auth: AuthConfig;
  abstract readonly mcp: McpConfig;
  abstract readonly oauth: OAuthConfig;
}

function parseEnvironment(env: RawEnvironment): ConfigValues {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const values = new Map<string, Parsed>();
  const problems: string[] = [];
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
  const result = new ConfigValues(values, nodeEnv);
  problems.forEach((p) => result.problem(p));
  return result;
}

/**
 * Validates the environment and builds the typed configuration. Every problem is reported at
 * once, one line per variable, naming the variable and what it expects.
 */
export function loadAppConfig(env: RawEnvironment): AppConfig {
  const values = parseEnvironment(env);
  const platform = buildPlatformConfig(values);
  const config: AppConfig = {
    ...platform,
    session: buildSessionConfig(values),
    credits: buildCreditsConfig(values),
    auth: buildAuthConfig(values),
    mcp: buildMcpConfig(values),
    oauth: buildOAuthConfig(values, platform.port),
  };
  if (values.problems.length > 0) throw new ConfigValidationError(values.problems);
  return config;
}
