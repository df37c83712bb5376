import { request } from './contract';
import { AccessTokenService } from '../../src/auth/access-token.service';
import { RefreshTokenService } from '../../src/auth/refresh-token.service';
import type { TestApp } from './test-app';
import { randomUUID } from 'node:crypto';
import { TestDatabase } from './test-database';

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

/** Inserts a user row directly, for suites about other modules than sign-up. */
export async function insertUser(
  database: TestDatabase,
  fields: {
    email?: string;
    name?: string;
    status?: 'active' | 'disabled';
    role?: 'user' | 'admin';
  } = {},
): Promise<TestUser> {
  const email = fields.email ?? `user-${randomUUID()}@example.test`;
  const name = fields.name ?? 'Test User';
  const [row] = await database.query<{ id: string }>(
    `INSERT INTO users (email, name, role, status, email_verified) VALUES ($1, $2, $3, $4, true) RETURNING id`,
    [email, name, fields.role ?? 'user', fields.status ?? 'active'],
  );
  return { id: row.id, email, name };
}

/** A real login of `user` (a refresh-token family) and its access token, signed by the app. */
export async function loginOf(
  t: TestApp,
  user: { id: string },
  role: 'user' | 'admin' = 'user',
): Promise<{ accessToken: string; refreshToken: string; loginId: string }> {
  const refresh = await t.app.get(RefreshTokenService).issue(user.id);
  const accessToken = await t.app
    .get(AccessTokenService)
    .sign({ id: user.id, role }, refresh.familyId);
  return { accessToken, refreshToken: refresh.token, loginId: refresh.familyId };
}

/** A real access token for `user` (of a new login), signed by the app's own AccessTokenService. */
export async function accessTokenFor(
  t: TestApp,
  user: { id: string },
  role: 'user' | 'admin' = 'user',
): Promise<string> {
  return (await loginOf(t, user, role)).accessToken;
}

/**
 * Signs up through `POST /api/auth/register` as a client does. Register answers 202 alike for new
 * and taken addresses (S-18), so the new account's id is read from the database.
 */
export async function registerUser(
  t: TestApp,
  input: { email: string; password: string; name: string },
  headers: Record<string, string> = {},
): Promise<{ id: string; email: string }> {
  const res = await request(t.server).post('/api/auth/register').set(headers).send(input);
  if (res.status !== 202) throw new Error(`register answered ${res.status}: ${res.text}`);
  const email = input.email.trim().toLowerCase();
  const [row] = await t.database.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
    email,
  ]);
  return { id: row.id, email };
}
