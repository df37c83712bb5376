import { randomUUID } from 'node:crypto';
import { RedisConnection } from '../../src/cache/redis-connection';
import { StreamSlots } from '../../src/mcp/stream-slots';
import { RateLimiterService } from '../../src/rate-limit/rate-limiter.service';
import { fundedUser } from '../support/credit-users';
import { eventually } from '../support/eventually';
import { chat, closeMcp, connectMcp, McpClient } from '../support/mcp-client';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { Fakes, fakeProviderEnv, insertTestModels, startFakes } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Hello' }];
let n = 0;
const rid = () => `slot-${++n}`;

/**
 * Issue 15: a user's stream slot must be free again once a chat ended, so chats sent back to back
 * are never refused with TOO_MANY_STREAMS; `npm run bench:mcp` (one chat per client at a time)
 * was refused that way on a loaded machine.
 */
describe('Mcp stream slots are given back when a chat ends', () => {
  let redis: PrivateRedisServer;
  let fakes: Fakes;
  let t: TestApp;
  const sockets: McpClient[] = [];

  beforeAll(async () => {
    redis = await PrivateRedisServer.start();
    fakes = await startFakes();
    t = await startTestApp({
      env: {
        ...fakeProviderEnv(fakes),
        REDIS_URL: redis.url,
        REDIS_COMMAND_TIMEOUT: '150ms',
        MCP_MAX_CONCURRENT_STREAMS: '1',
        MCP_MESSAGES_PER_MINUTE: '1000',
      },
    });
    await insertTestModels(t);
  });
  afterAll(async () => {
    sockets.forEach(closeMcp);
    redis?.thaw();
    await t?.close();
    await fakes?.close();
    await redis?.stop();
  });
  beforeEach(() => fakes.reset());

  async function connect(token: string): Promise<McpClient> {
    const socket = await connectMcp(t.url, token);
    sockets.push(socket);
    return socket;
  }

  it('admits the next chat sent the moment chat:end arrives, twenty times in a row', async () => {
    const user = await fundedUser(t, '10');
    const socket = await connect(user.sessionToken);
    for (let i = 0; i < 20; i++) {
      const out = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
      expect(out.ack).toMatchObject({ ok: true });
      expect(out.end).toBeDefined();
    }
  });

  it('takes the limits and slots of 50 chats starting in one turn in a few Redis reads', async () => {
    const reads = async () => {
      const stats = String(await redis.command('INFO', 'stats'));
      return Number(/total_reads_processed:(\d+)/.exec(stats)![1]);
    };
    const limiter = t.app.get(RateLimiterService);
    const slots = t.app.get(StreamSlots);
    const before = await reads();
    const users = Array.from({ length: 50 }, () => randomUUID());
    const taken = await Promise.all(
      users.flatMap((user) => [
        limiter.consume(`mcp:messages:${user}`, 10, 60_000),
        slots.acquire(user, 'slot', 1, 60_000),
      ]),
    );
    const used = (await reads()) - before;
    expect(
      taken.filter((answer) => answer === true || (answer as { allowed?: boolean }).allowed),
    ).toHaveLength(100);
    // One command each would be 100 reads; this counts the two INFO calls' connections too.
    expect(used).toBeLessThanOrEqual(10);
    await Promise.all(users.map((user) => slots.release(user, 'slot')));
  });

  it('frees a slot whose release Redis missed (frozen) as soon as Redis answers again', async () => {
    const user = await fundedUser(t, '10');
    const socket = await connect(user.sessionToken);
    const connection = t.app.get(RedisConnection);
    fakes.anthropic.behave({ chunks: ['a', ' slow', ' answer'], holdAfter: 1 });
    // The slot is taken in Redis; then Redis freezes and the instance notices (a call of its own
    // times out) while the chat streams (held until then), so the release at its end cannot
    // reach Redis.
    let noticed: Promise<unknown> | undefined;
    const out = await chat(
      socket,
      { request_id: rid(), model: 't-claude', messages: HELLO },
      (c) => {
        if (c.index !== 0) return;
        redis.freeze();
        noticed = connection.run((client) => client.ping()).catch((error: Error) => error);
        void noticed.then(() => fakes.anthropic.release());
      },
    );
    expect(out.end).toBeDefined();
    await expect(noticed).resolves.toBeInstanceOf(Error);
    expect(connection.ready).toBe(false);

    redis.thaw();
    await eventually(() => expect(connection.ready).toBe(true));
    fakes.anthropic.behave({});
    const next = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
    expect(next.ack).toMatchObject({ ok: true });
    expect(next.end).toBeDefined();
    expect(await redis.command('ZCARD', `${t.config.redis.keyPrefix}mcp:streams:${user.id}`)).toBe(
      0,
    );
  });
});
