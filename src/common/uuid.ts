const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any RFC 4122 shaped id (what PostgreSQL's uuid type accepts in its canonical form). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
