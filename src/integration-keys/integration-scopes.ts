/**
 * What an integration key may do (the `integration_keys.scopes` CHECK constraint lists the same;
 * the table is read and written with SQL by IntegrationKeyRepository, no ORM entity).
 */
export const INTEGRATION_SCOPES = [
  'credits:check',
  'credits:deduct',
  'credits:refund',
  'sessions:claim',
] as const;
export type IntegrationScope = (typeof INTEGRATION_SCOPES)[number];
