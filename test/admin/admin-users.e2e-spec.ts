import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { RefreshTokenService } from '../../src/auth/refresh-token.service';
import { SessionService } from '../../src/session/session.service';
import {
  ADMIN_TEST_ENV,
  adminApi,
  auditRows,
  Caller,
  itemsOf,
  listOf,
  userWithToken,
} from '../support/admin';
import { topUp } from '../support/credits';
import { startTestApp, TestApp } from '../support/test-app';
import { accessTokenFor, insertUser } from '../support/users';

describe('Admin API: users and sessions', () => {
  let t: TestApp;
  let admin: Caller;
  let api: ReturnType<typeof adminApi>;

  beforeAll(async () => {
    t = await startTestApp({ env: ADMIN_TEST_ENV });
    admin = await userWithToken(t, { role: 'admin', email: 'root@hub.example' });
    api = adminApi(t, admin);
  });
  afterAll(() => t.close());

  const verify = (token: string) =>
    request(t.server).get('/api/auth/verify-session').set('X-Session-Token', token);

  /** A user holding two live VERIFIED sessions, a refresh token and an access token. */
  async function loggedInUser() {
    const user = await userWithToken(t);
    const sessions = t.app.get(SessionService);
    const first = await sessions.createForUser(
      { userId: user.id, clientName: 'sora2' },
      { claimed: true },
    );
    const second = await sessions.createForUser(
      { userId: user.id, ip: '10.0.0.7' },
      { claimed: true },
    );
    const refresh = await t.app.get(RefreshTokenService).issue(user.id);
    // Verified once: the snapshot is now cached, so "at once" is about eviction, not a cache miss.
    await verify(first.token).expect(200);
    return { user, sessions: [first, second], refreshToken: refresh.token };
  }

  describe('GET /users', () => {
    it('finds users by any part of the email or name, any case, and filters by role and status', async () => {
      const tag = randomUUID().slice(0, 8);
      const somchai = await insertUser(t.database, {
        email: `somchai.${tag}@example.com`,
        name: 'Somchai Jaidee',
      });
      const malee = await insertUser(t.database, {
        email: `malee.${tag}@example.org`,
        name: `Malee ${tag}`,
      });
      const disabled = await insertUser(t.database, {
        email: `off.${tag}@example.org`,
        name: 'Off Line',
        status: 'disabled',
      });
      const ids = async (query: Record<string, string>) =>
        itemsOf<{ id: string }>(await api.get('/users').query(query).expect(200)).map((u) => u.id);
      expect(await ids({ search: `SOMCHAI.${tag}` })).toEqual([somchai.id]);
      expect(await ids({ search: tag })).toEqual([disabled.id, malee.id, somchai.id]);
      expect(await ids({ search: tag, status: 'disabled' })).toEqual([disabled.id]);
      expect(await ids({ search: 'jaidee' })).toEqual([somchai.id]);
      expect(await ids({ search: `${tag}@example.org`, role: 'admin' })).toEqual([]);
      // LIKE wildcards in the search match themselves.
      expect(await ids({ search: '%' })).toEqual([]);
      expect(await ids({ search: `malee_${tag}` })).toEqual([]);
      const page = await api.get('/users').query({ search: tag, limit: 2 }).expect(200);
      expect(page.body.items).toHaveLength(2);
      expect(page.body.items[0]).toEqual({
        id: disabled.id,
        email: disabled.email,
        name: 'Off Line',
        role: 'user',
        status: 'disabled',
        email_verified: true,
        created_at: expect.any(String),
      });
      const next = await api
        .get('/users')
        .query({ search: tag, limit: 2, cursor: page.body.next_cursor })
        .expect(200);
      expect(next.body).toEqual({
        items: [expect.objectContaining({ id: somchai.id })],
        next_cursor: null,
      });
      await api.get('/users').query({ role: 'root' }).expect(400);
      await api.get('/users').query({ cursor: 'x' }).expect(400);
      await api.get('/users').query({ search: '' }).expect(400);
    });
  });

  it('GET /users/:id: profile, credits, live sessions and last activity; 404 for nobody', async () => {
    const { user } = await loggedInUser();
    await topUp(t, user.id, '42');
    const res = await api.get(`/users/${user.id}`).expect(200);
    expect(res.body).toMatchObject({
      id: user.id,
      email: user.email,
      role: 'user',
      status: 'active',
      credits: { balance: '42', available: '42', held: '0' },
      live_sessions: 2,
      last_activity_at: expect.any(String),
    });
    expect(res.body).not.toHaveProperty('passwordHash');
    await api.get(`/users/${randomUUID()}`).expect(404);
    await api.get('/users/123').expect(400);
  });

  describe('PATCH /users/:id', () => {
    it('disabling revokes every session and refresh token at once and refuses issued access tokens', async () => {
      const { user, sessions, refreshToken } = await loggedInUser();
      await request(t.server).get('/api/auth/me').set('Authorization', user.auth).expect(200);
      const res = await api.patch(`/users/${user.id}`).send({ status: 'disabled' }).expect(200);
      expect(res.body).toMatchObject({
        user: { id: user.id, status: 'disabled', role: 'user' },
        sessions_revoked: 2,
        // The login behind the user's access token, and the one issued above.
        refresh_tokens_revoked: 2,
      });
      for (const s of sessions) {
        expect((await verify(s.token)).status).toBe(401);
      }
      await request(t.server)
        .post('/api/auth/refresh')
        .send({ refresh_token: refreshToken })
        .expect(401);
      await request(t.server).get('/api/auth/me').set('Authorization', user.auth).expect(403);
      expect(
        await t.database.query(
          `SELECT revoked_reason FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`,
          [user.id],
        ),
      ).toEqual([]);
      expect(
        await t.database.query(
          `SELECT id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL`,
          [user.id],
        ),
      ).toEqual([]);
      const [audit] = (await auditRows(t, 'user.update')).filter((a) => a.target_id === user.id);
      expect(audit).toMatchObject({
        actor_id: admin.id,
        before: { role: 'user', status: 'active' },
        after: { role: 'user', status: 'disabled', sessions_revoked: 2, refresh_tokens_revoked: 2 },
      });
      // Enabled again: it can log in anew, the old credentials stay dead.
      await api.patch(`/users/${user.id}`).send({ status: 'active' }).expect(200);
      // Its access token belonged to a login that disabling ended (S-21): it stays refused.
      await request(t.server).get('/api/auth/me').set('Authorization', user.auth).expect(401);
      await request(t.server)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${await accessTokenFor(t, user)}`)
        .expect(200);
      expect((await verify(sessions[0].token)).status).toBe(401);
    });

    it('changes roles, with effect on the next request', async () => {
      const other = await userWithToken(t);
      await request(t.server).get('/api/admin/users').set('Authorization', other.auth).expect(403);
      await api.patch(`/users/${other.id}`).send({ role: 'admin' }).expect(200);
      await request(t.server).get('/api/admin/users').set('Authorization', other.auth).expect(200);
      await api.patch(`/users/${other.id}`).send({ role: 'user' }).expect(200);
      await request(t.server).get('/api/admin/users').set('Authorization', other.auth).expect(403);
    });

    it('an admin cannot demote or disable themself; 400 for nothing or nonsense; 404 for nobody', async () => {
      const self = await api.patch(`/users/${admin.id}`).send({ role: 'user' }).expect(403);
      expect(self.body.message).toMatch(/own account/);
      await api.patch(`/users/${admin.id}`).send({ status: 'disabled' }).expect(403);
      await api.patch(`/users/${admin.id}`).send({ role: 'admin', status: 'active' }).expect(200);
      const user = await insertUser(t.database);
      await api.patch(`/users/${user.id}`).send({}).expect(400);
      await api.patch(`/users/${user.id}`).send({ role: 'owner' }).expect(400);
      await api.patch(`/users/${user.id}`).send({ status: 'banned' }).expect(400);
      await api.patch(`/users/${user.id}`).send({ email: 'x@y.z' }).expect(400);
      await api.patch(`/users/${randomUUID()}`).send({ status: 'disabled' }).expect(404);
      expect(
        await t.database.query(`SELECT id FROM audit_log WHERE target_id = $1`, [user.id]),
      ).toEqual([]);
    });

    it('rolls back with its audit row: a failed audit insert leaves the user active and logged in', async () => {
      const { user, sessions } = await loggedInUser();
      await t.database.query(`
        CREATE OR REPLACE FUNCTION refuse_user_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit insert refused'; END $$`);
      await t.database.query(
        `CREATE TRIGGER refuse_user_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_user_audit()`,
      );
      try {
        await api.patch(`/users/${user.id}`).send({ status: 'disabled' }).expect(500);
      } finally {
        await t.database.query(`DROP TRIGGER refuse_user_audit ON audit_log`);
      }
      const [row] = await t.database.query<{ status: string }>(
        `SELECT status FROM users WHERE id = $1`,
        [user.id],
      );
      expect(row.status).toBe('active');
      await verify(sessions[1].token).expect(200);
    });
  });

  describe('sessions', () => {
    it("lists a user's live sessions without their tokens", async () => {
      const { user, sessions } = await loggedInUser();
      const res = await api.get(`/users/${user.id}/sessions`).expect(200);
      expect(
        listOf<{ id: string }>(res)
          .map((s) => s.id)
          .sort(),
      ).toEqual(sessions.map((s) => s.sessionId).sort());
      expect(listOf<{ id: string }>(res).find((s) => s.id === sessions[0].sessionId)).toMatchObject(
        {
          client_name: 'sora2',
          claimed_at: expect.any(String),
          expires_at: expect.any(String),
        },
      );
      expect(JSON.stringify(res.body)).not.toMatch(/VERIFIED-|token/i);
      await api.get(`/users/${randomUUID()}/sessions`).expect(404);
    });

    it('revokes one session at once; 404 for an unknown one', async () => {
      const { user, sessions } = await loggedInUser();
      const res = await api.delete(`/sessions/${sessions[0].sessionId}`).expect(200);
      expect(res.body).toEqual({ revoked: 1 });
      expect((await verify(sessions[0].token)).status).toBe(401);
      await verify(sessions[1].token).expect(200);
      await api.delete(`/sessions/${randomUUID()}`).expect(404);
      const audit = (await auditRows(t, 'session.revoke')).filter(
        (a) => a.target_id === sessions[0].sessionId,
      );
      expect(audit).toEqual([
        expect.objectContaining({ after: { user_id: user.id, sessions_revoked: 1 } }),
      ]);
    });

    it("revokes all of a user's sessions at once; 404 for nobody", async () => {
      const { user, sessions } = await loggedInUser();
      expect((await api.delete(`/users/${user.id}/sessions`).expect(200)).body).toEqual({
        revoked: 2,
      });
      for (const s of sessions) expect((await verify(s.token)).status).toBe(401);
      expect((await api.delete(`/users/${user.id}/sessions`).expect(200)).body).toEqual({
        revoked: 0,
      });
      await api.delete(`/users/${randomUUID()}/sessions`).expect(404);
      expect(
        (await auditRows(t, 'user.sessions_revoke')).filter((a) => a.target_id === user.id),
      ).toHaveLength(2);
    });
  });
});
