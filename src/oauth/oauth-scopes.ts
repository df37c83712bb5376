/** The scopes an app may ask for; `openid`/`offline_access` are the protocol's own. */
export const HUB_SCOPES = ['profile', 'credits:read', 'credits:spend', 'chat'] as const;
export type HubScope = (typeof HUB_SCOPES)[number];

export const PROTOCOL_SCOPES = ['openid', 'offline_access'] as const;

export const ALL_SCOPES: readonly string[] = [...PROTOCOL_SCOPES, ...HUB_SCOPES];

export function isHubScope(scope: string): scope is HubScope {
  return (HUB_SCOPES as readonly string[]).includes(scope);
}
