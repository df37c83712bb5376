import { HoldLimitError } from '../../src/credits/credits.errors';
import { ChatBilling } from '../../src/mcp/chat-billing';
import { fundedUser } from '../support/credit-users';
import { FakeClock } from '../support/fake-clock';
import { chat } from '../support/mcp-client';
import { PrivateRedisServer } from '../support/redis-server';
import { useChatApp } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Hello' }];
let n = 0;
const rid = () => `limit-${++n}`;

/**
 * Issue 15: a chat's credit hold is its stream slot. The money core counts the user's active
 * chat holds (MCP_MAX_CONCURRENT_STREAMS) and those taken in the last minute
 * (MCP_MESSAGES_PER_MINUTE) in the hold's own statement, under the account's lock: exact for
 * parallel starts on any number of instances, and without Redis.
 */
describe('Chat limits taken with the credit hold', () => {
  let redis: PrivateRedisServer;
  const clock = new FakeClock();
  const app = useChatApp(async () => {
    redis = await PrivateRedisServer.start();
    return {
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT: '150ms',
      MCP_MAX_CONCURRENT_STREAMS: '1',
      MCP_MESSAGES_PER_MINUTE: '1000',
    };
  }, clock);
  afterAll(async () => {
    redis?.thaw();
    await redis?.stop();
  });

  const reserve = (userId: string, limits: { concurrent?: number; perMinute?: number }) =>
    app.t.app
      .get(ChatBilling)
      .reserve({
        payer: { userId },
        amount: '0.01',
        ttlMs: 120_000,
        requestId: rid(),
        model: 't-gpt',
        limits,
      })
      .then(
        () => 'held' as const,
        (error: unknown) => error,
      );

  it('admits the next chat sent the moment chat:end arrives, twenty times in a row', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await app.connect(user.sessionToken);
    for (let i = 0; i < 20; i++) {
      const out = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
      expect(out.ack).toMatchObject({ ok: true });
      expect(out.end).toBeDefined();
    }
  });

  /** 50 holds of one user at once: how many were taken, and the refusals. */
  async function fiftyAtOnce(limits: { concurrent?: number; perMinute?: number }) {
    const user = await fundedUser(app.t, '10');
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => reserve(user.id, limits)));
    return {
      user,
      held: outcomes.filter((o) => o === 'held').length,
      refused: outcomes.filter((o): o is HoldLimitError => o instanceof HoldLimitError),
    };
  }

  it('lets exactly the concurrent limit of 50 parallel holds through', async () => {
    const { user, held, refused } = await fiftyAtOnce({ concurrent: 3 });
    expect(held).toBe(3);
    expect(refused).toHaveLength(47);
    expect(refused.every((e) => e.limit === 'concurrent' && e.max === 3)).toBe(true);
    const [{ active }] = await app.t.database.query<{ active: number }>(
      `SELECT count(*)::int AS active FROM credit_holds WHERE user_id = $1 AND status = 'active'`,
      [user.id],
    );
    expect(active).toBe(3);
  });

  it('lets exactly the per-minute limit of 50 parallel holds through, and more once the minute has passed', async () => {
    const { user, held, refused } = await fiftyAtOnce({ perMinute: 5 });
    expect(held).toBe(5);
    expect(refused).toHaveLength(45);
    expect(refused.every((e) => e.limit === 'per_minute' && e.retryAfterSeconds === 60)).toBe(true);

    clock.advance(40_000);
    const later = await reserve(user.id, { perMinute: 5 });
    expect(later).toBeInstanceOf(HoldLimitError);
    expect((later as HoldLimitError).retryAfterSeconds).toBe(20);

    clock.advance(20_001);
    expect(await reserve(user.id, { perMinute: 5 })).toBe('held');
  });

  it('runs chats and keeps their limits while Redis is frozen', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await app.connect(user.sessionToken);
    redis.freeze();
    try {
      for (let i = 0; i < 3; i++) {
        const out = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
        expect(out.ack).toMatchObject({ ok: true });
        expect(out.end).toBeDefined();
      }
      // The user's one stream slot is taken by a hold of the chat gateway (another instance's
      // chat, say): refused by the money core, not by this instance's own count.
      expect(await reserve(user.id, { concurrent: 1 })).toBe('held');
      const refused = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
      expect(refused.ack).toMatchObject({ ok: false, code: 'TOO_MANY_STREAMS' });
    } finally {
      redis.thaw();
    }
  });
});
