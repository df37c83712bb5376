import { request } from '../support/contract';
import { SessionService } from '../../src/session/session.service';
import { closeMcp, connectMcp, McpClient } from '../support/mcp-client';
import { startTestApp, TestApp } from '../support/test-app';
import { insertUser } from '../support/users';

const guess = (i: number) => `VERIFIED-${String(i).padStart(43, 'g')}`;

describe('S-11 failed VERIFIED guesses per client IP, wherever they come in', () => {
  let t: TestApp;
  const sockets: McpClient[] = [];

  beforeEach(async () => {
    t = await startTestApp({ env: { SESSION_VERIFY_FAILURES_PER_MINUTE: '5' } });
  });
  afterEach(async () => {
    sockets.splice(0).forEach(closeMcp);
    await t.close();
  });

  const verify = (token: string) =>
    request(t.server).get('/api/auth/verify-session').set('X-Session-Token', token);

  it('S-11 /mcp handshakes with wrong VERIFIED codes count toward the verify-session limit', async () => {
    const user = await insertUser(t.database);
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    for (let i = 0; i < 5; i++) {
      await expect(connectMcp(t.url, guess(i))).rejects.toThrow('unauthorized');
    }
    // The IP used up its failures through the socket: the HTTP endpoint answers 429 now…
    const limited = await verify(token).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // …and a handshake with the real token is refused too, so a lucky guess cannot show.
    await expect(connectMcp(t.url, token)).rejects.toThrow('unauthorized');
  });

  it('S-11 50 parallel wrong guesses: exactly the limit is answered, the rest 429 (atomic consume)', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => verify(guess(i))));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(45);
  });

  it('S-11 50 parallel wrong handshakes count exactly like HTTP guesses', async () => {
    const user = await insertUser(t.database);
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => connectMcp(t.url, guess(i))),
    );
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    await verify(token).expect(429);
  });

  it('S-11 successes give their count back: 40 valid verifications in a row leave the limit untouched', async () => {
    const user = await insertUser(t.database);
    const { token } = await t.app.get(SessionService).createForUser({ userId: user.id });
    for (let i = 0; i < 40; i++) await verify(token).expect(200);
    const socket = await connectMcp(t.url, token);
    sockets.push(socket);
    for (let i = 0; i < 5; i++) await verify(guess(i)).expect(404);
    await verify(guess(99)).expect(429);
  });
});
