import type { DomainError } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/app-config';
import type { IntegrationScope } from '../../integration-keys/integration-scopes';

/** The OAuth scope a credit API route needs, by the integration-key scope it requires. */
export const OAUTH_SCOPE_OF: Record<IntegrationScope, string | undefined> = {
  'credits:check': 'credits:read',
  'credits:deduct': 'credits:spend',
  'credits:refund': 'credits:spend',
  'sessions:claim': undefined,
};

/**
 * `WWW-Authenticate` for a refused credit API call (RFC 6750 §3, RFC 9728 §5.1): where the
 * protected-resource metadata is, the scope the route needs and, for a bad token or a missing
 * scope, the error code.
 */
export function bearerChallenge(
  config: AppConfig,
  scope: IntegrationScope | undefined,
  error: DomainError,
): string {
  const parts = [`resource_metadata="${config.oauth.resourceMetadataUrl}"`];
  const needed = scope ? OAUTH_SCOPE_OF[scope] : undefined;
  if (needed) parts.push(`scope="${needed}"`);
  if (error.kind === 'unauthenticated') parts.push('error="invalid_token"');
  else if (error.details.required_scope) parts.push('error="insufficient_scope"');
  return `Bearer ${parts.join(', ')}`;
}
