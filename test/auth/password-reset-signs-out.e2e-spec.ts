import { registerUser } from '../support/users';
import { randomUUID } from 'node:crypto';
import { request } from '../support/contract';
import { SessionService } from '../../src/session/session.service';
import { closeMcp, connectMcp, ending, McpClient } from '../support/mcp-client';
import { SmtpMailbox } from '../support/smtp-mailbox';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse 9';

describe('S-04 a password reset signs the account out everywhere', () => {
  let mailbox: SmtpMailbox;
  let t: TestApp;
  const sockets: McpClient[] = [];

  beforeAll(async () => {
    mailbox = await SmtpMailbox.start();
    t = await startTestApp({ env: { SMTP_URL: mailbox.url, MCP_REVALIDATE_INTERVAL: '1h' } });
  });
  afterAll(async () => {
    sockets.forEach(closeMcp);
    await t.close();
    await mailbox.close();
  });

  it('S-04 reset revokes every VERIFIED session, refresh family, access token and live socket of the user', async () => {
    const email = `s04-${randomUUID()}@example.com`;
    const { id: userId } = await registerUser(t, { email, password: PASSWORD, name: 'Somchai' });
    const login = async () =>
      (
        await request(t.server)
          .post('/api/auth/login')
          .send({ email, password: PASSWORD })
          .expect(200)
      ).body as { access_token: string; refresh_token: string };
    const phone = await login();
    const laptop = await login();
    const sessions = t.app.get(SessionService);
    const verified = await Promise.all([
      sessions.createForUser({ userId }),
      sessions.createForUser({ userId }),
    ]);
    // Sockets opened with an access token and with a VERIFIED session.
    const jwtSocket = await connectMcp(t.url, laptop.access_token);
    const sessionSocket = await connectMcp(t.url, verified[0].token);
    sockets.push(jwtSocket, sessionSocket);
    const jwtEnd = ending(jwtSocket);
    const sessionEnd = ending(sessionSocket);

    await request(t.server).post('/api/auth/forgot-password').send({ email }).expect(202);
    const code = await mailbox.codeFor(email, 2); // the first mail verified the address
    await request(t.server)
      .post('/api/auth/reset-password')
      .send({ email, code, password: 'a brand new one 7' })
      .expect(204);

    // Access tokens issued before the reset fail at once (tokens valid after + their login).
    for (const tokens of [phone, laptop]) {
      await request(t.server)
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${tokens.access_token}`)
        .expect(401);
      await request(t.server)
        .post('/api/auth/refresh')
        .send({ refresh_token: tokens.refresh_token })
        .expect(401);
    }
    for (const session of verified) {
      const res = await request(t.server)
        .get('/api/auth/verify-session')
        .set('X-Session-Token', session.token)
        .expect(401);
      expect(res.body.error).toBe('Session revoked');
    }
    for (const ended of [await jwtEnd, await sessionEnd]) {
      expect(ended.error).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(ended.reason).toBe('io server disconnect');
    }
    const [row] = await t.database.query<{ tokens_valid_after: Date | null }>(
      'SELECT tokens_valid_after FROM users WHERE id = $1',
      [userId],
    );
    expect(row.tokens_valid_after).not.toBeNull();

    // The owner logs in again with the new password: a fresh login works at once.
    const fresh = await request(t.server)
      .post('/api/auth/login')
      .send({ email, password: 'a brand new one 7' })
      .expect(200);
    await request(t.server)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${fresh.body.access_token}`)
      .expect(200);
    const again = await connectMcp(t.url, fresh.body.access_token);
    sockets.push(again);
    expect(again.connected).toBe(true);
  });
});
