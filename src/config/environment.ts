import { CREDITS_VARIABLES } from './variables/credits';
import { AUTH_VARIABLES } from './variables/auth';
import { MCP_VARIABLES } from './variables/mcp';
import { PLATFORM_VARIABLES } from './variables/platform';
import { SESSION_VARIABLES } from './variables/session';
import type { VariableSpec } from './config-values';
import { OAUTH_VARIABLES } from './variables/oauth';

/**
 * Every environment variable the server reads, declared once (one file per area under
 * `variables/`). The same table validates the environment at boot and documents `.env.example`
 * and the README's configuration table (`npm run config:docs` prints both), so they never drift.
 */
export const ENVIRONMENT: readonly VariableSpec[] = [
  ...PLATFORM_VARIABLES,
  ...SESSION_VARIABLES,
  ...CREDITS_VARIABLES,
  ...AUTH_VARIABLES,
  ...MCP_VARIABLES,
  ...OAUTH_VARIABLES,
];

export type RawEnvironment = Record<string, string | undefined>;
