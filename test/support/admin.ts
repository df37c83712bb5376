import { request } from './contract';
import { TestApp } from './test-app';
import { accessTokenFor, insertUser, TestUser } from './users';

/** Admin suites make many requests from one address: lift the per-IP limit. */
export const ADMIN_TEST_ENV = { RATE_LIMIT_PER_MINUTE: '1000000' };

export interface Caller extends TestUser {
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

/** A user row with the role, and an access token for it signed by the app itself. */
export async function userWithToken(
  t: TestApp,
  fields: { role?: 'user' | 'admin'; email?: string; name?: string } = {},
): Promise<Caller> {
  const user = await insertUser(t.database, fields);
  const token = await accessTokenFor(t, user, fields.role ?? 'user');
  return { ...user, token, auth: `Bearer ${token}` };
}

/** A request to the admin API as `caller`. */
export function adminApi(t: TestApp, caller: Caller) {
  const agent = request(t.server);
  const as = <T extends { set(field: string, value: string): T }>(r: T): T =>
    r.set('Authorization', caller.auth);
  return {
    get: (path: string) => as(agent.get(`/api/admin${path}`)),
    post: (path: string) => as(agent.post(`/api/admin${path}`)),
    patch: (path: string) => as(agent.patch(`/api/admin${path}`)),
    delete: (path: string) => as(agent.delete(`/api/admin${path}`)),
  };
}

/** The audit rows of one action, oldest first. */
export function auditRows(t: TestApp, action: string) {
  return t.database.query<{
    actor_id: string;
    actor_type: string;
    target_type: string;
    target_id: string | null;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    request_id: string | null;
    ip: string | null;
  }>(
    `SELECT actor_id, actor_type, target_type, target_id, before, after, request_id, ip
       FROM audit_log WHERE action = $1 ORDER BY created_at, id`,
    [action],
  );
}

/** The `items` of a page response, typed. */
export function itemsOf<T>(res: { body: unknown }): T[] {
  return (res.body as { items: T[] }).items;
}

/** A response whose body is a JSON array, typed. */
export function listOf<T>(res: { body: unknown }): T[] {
  return res.body as T[];
}
