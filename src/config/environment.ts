import { CREDITS_VARIABLES } from './variables/credits';
import { AUTH_VARIABLES } from './variables/auth';
import { MCP_VARIABLES } from './variables/mcp';
import { PLATFORM_VARIABLES } from './variables/platform';
import { SESSION_VARIABLES } from './variables/session';
import { OAUTH_VARIABLES } from './variables/oauth';

/**
 * Every environment variable the server reads, declared once (one file per area under
 * `variables/`). The same table validates the environment at boot and documents `.env.example`
 * and the README's configuration table (`npm run config:docs` prints both), so they never drift.
 */
export type VariableKind =
  | { type: 'string' }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'url'; protocols: readonly string[] }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list' }
  | { type: 'duration' };

export interface VariableSpec {
  name: string;
  kind: VariableKind;
  /** Used when the variable is unset or empty; `undefined` means "optional, no default". */
  default?: string;
  description: string;
  /** A secret is never logged and must be set explicitly when NODE_ENV=production. */
  secret?: boolean;
  requiredInProduction?: boolean;
}

export const ENVIRONMENT: readonly VariableSpec[] = [
  ...PLATFORM_VARIABLES,
  ...SESSION_VARIABLES,
  ...CREDITS_VARIABLES,
  ...AUTH_VARIABLES,
  ...MCP_VARIABLES,
  ...OAUTH_VARIABLES,
];

export type RawEnvironment = Record<string, string | undefined>;
