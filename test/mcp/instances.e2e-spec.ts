import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CreditCore } from '../../src/credits/core/credit-core';
import { McpGateway } from '../../src/mcp/mcp.gateway';
import { fundedUser, ledgerOf } from '../support/credit-users';
import { asSora2, CREDITS_TEST_ENV } from '../support/credits';
import { eventually } from '../support/eventually';
import { chat, closeMcp, connectMcp, McpClient, urlOf } from '../support/mcp-client';
import { PrivateRedisServer } from '../support/redis-server';
import { startTestApp, TestApp } from '../support/test-app';
import { describeWithRedis } from '../support/test-environment';
import { Fakes, fakeProviderEnv, insertTestModels, startFakes } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Hello' }];

describeWithRedis('Two app instances sharing PostgreSQL and Redis', () => {
  let fakes: Fakes;
  let a: TestApp;
  let b: TestApp;
  const sockets: McpClient[] = [];

  beforeAll(async () => {
    fakes = await startFakes();
    const env = {
      ...fakeProviderEnv(fakes),
      ...CREDITS_TEST_ENV,
      MCP_MAX_CONCURRENT_STREAMS: '1',
      REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    };
    a = await startTestApp({ env });
    b = await startTestApp({ env, database: a.database });
    await insertTestModels(a);
  });
  afterAll(async () => {
    sockets.forEach(closeMcp);
    await b.close();
    await a.close();
    await fakes.close();
  });

  const connect = async (t: TestApp, token: string) => {
    const socket = await connectMcp(urlOf(t.server), token);
    sockets.push(socket);
    return socket;
  };

  it('counts one user’s streams across instances', async () => {
    const user = await fundedUser(a, '10');
    const onA = await connect(a, user.sessionToken);
    const onB = await connect(b, user.sessionToken);
    fakes.anthropic.behave({ chunks: ['long'] });
    fakes.anthropic.hold(); // the first stream keeps its slot until released
    const before = fakes.anthropic.requests.length;
    const first = chat(onA, { request_id: 'one', model: 't-claude', messages: HELLO });
    await fakes.anthropic.arrived(before + 1); // admitted on A: its slot is taken
    const second = await chat(onB, { request_id: 'two', model: 't-claude', messages: HELLO });
    expect(second.ack).toMatchObject({ ok: false, code: 'TOO_MANY_STREAMS' });
    fakes.anthropic.release();
    expect((await first).end).toBeDefined();
    const again = await chat(onB, { request_id: 'three', model: 't-claude', messages: HELLO });
    expect(again.end?.cost).toBeDefined();
    const ledger = await ledgerOf(b, user.id);
    expect(ledger.chatRows).toHaveLength(2);
    expect(ledger.balance).toBe(ledger.ledgerSum);
  });

  it('reaches a socket on the other instance through the Redis adapter', async () => {
    const user = await fundedUser(a, '1');
    const onB = await connect(b, user.sessionToken);
    const gone = new Promise((resolve) => onB.once('disconnect', resolve));
    a.app.get(McpGateway).disconnectUser(user.id);
    await expect(gone).resolves.toBe('io server disconnect');
  });

  it("pushes credits:balance to the user's sockets on both instances after a REST deduct on one, and to nobody else", async () => {
    const user = await fundedUser(a, '10');
    const stranger = await fundedUser(a, '10');
    const [onA, onB, strangerOnB] = await Promise.all([
      connect(a, user.sessionToken),
      connect(b, user.sessionToken),
      connect(b, stranger.sessionToken),
    ]);
    // Every push a socket gets: the user's own top-up may still be announced after it connected
    // (pushes go out every 50 ms), so the deduct's is looked for among them.
    const pushesTo = (socket: McpClient) => {
      const pushes: unknown[] = [];
      socket.on('credits:balance', (event) => pushes.push(event));
      return pushes;
    };
    const [onAGot, onBGot] = [pushesTo(onA), pushesTo(onB)];
    const strangers: { transaction_id: string | null }[] = [];
    strangerOnB.on('credits:balance', (event) => strangers.push(event));
    const deduct = await asSora2(a, 'deduct', user.id, { service: 'video', cost: '2.5' }).expect(
      200,
    );
    const expected = {
      balance: '7.5',
      available: '7.5',
      held: '0',
      transaction_id: deduct.body.transaction_id as string,
    };
    await eventually(() => expect(onAGot).toContainEqual(expected));
    await eventually(() => expect(onBGot).toContainEqual(expected));
    // A chat on B: its hold, then its charge, reach the socket on A as well. The upstream waits
    // until the hold was seen on A (pushes of moves close together may arrive as the last one).
    const seen: { held: string; transaction_id: string | null }[] = [];
    onA.on('credits:balance', (event) => seen.push(event));
    fakes.openai.hold();
    const chatting = chat(onB, { request_id: 'balance-chat', model: 't-gpt', messages: HELLO });
    await eventually(() => expect(seen[0]).toMatchObject({ transaction_id: null }));
    expect(Number(seen[0].held)).toBeGreaterThan(0);
    fakes.openai.release();
    const out = await chatting;
    await eventually(() => expect(seen.at(-1)?.transaction_id).toEqual(expect.any(String)));
    expect(seen.at(-1)).toMatchObject({
      balance: String(7.5 - Number(out.end!.cost)),
      held: '0',
    });
    // Its own top-up may reach the stranger; nothing about anyone else's money may.
    const ownMoves = (
      await a.database.query<{ id: string }>(
        `SELECT id FROM credit_transactions WHERE user_id = $1`,
        [stranger.id],
      )
    ).map((row) => row.id);
    expect(strangers.filter((event) => !ownMoves.includes(event.transaction_id!))).toEqual([]);
  });

  it('a burst of money moves reaches both instances as far fewer pushes, ending on the final state', async () => {
    const user = await fundedUser(a, '10');
    const [onA, onB] = await Promise.all([
      connect(a, user.sessionToken),
      connect(b, user.sessionToken),
    ]);
    const seenOnA: { balance: string }[] = [];
    const seenOnB: { balance: string }[] = [];
    onA.on('credits:balance', (event) => seenOnA.push(event));
    onB.on('credits:balance', (event) => seenOnB.push(event));
    // The account row stays locked until all 50 deducts are inside the money core, so they
    // commit in a few statements, as under load.
    const locker = new Client({ connectionString: a.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM credit_accounts WHERE user_id = $1 FOR UPDATE', [user.id]);
    const core = a.app.get(CreditCore);
    const applied = jest.spyOn(core as unknown as { apply: () => unknown }, 'apply');
    const deducts = Promise.all(
      Array.from({ length: 50 }, () =>
        asSora2(a, 'deduct', user.id, { service: 'video', cost: '0.1' }).expect(200),
      ),
    );
    await eventually(() => expect(applied).toHaveBeenCalledTimes(50));
    applied.mockRestore();
    await locker.query('COMMIT');
    await locker.end();
    await deducts;

    const final = { balance: '5' };
    await eventually(() => expect(seenOnA.at(-1)).toMatchObject(final));
    await eventually(() => expect(seenOnB.at(-1)).toMatchObject(final));
    // One push per statement at most (one per move before), whichever instance the socket is on.
    expect(seenOnA.length).toBeLessThanOrEqual(10);
    expect(seenOnB.length).toBeLessThanOrEqual(10);
  });
});

describe('An instance closing while Redis is frozen', () => {
  let redis: PrivateRedisServer;

  beforeAll(async () => (redis = await PrivateRedisServer.start()));
  afterAll(() => redis.stop());

  // Jest also fails the test if a rejection goes unhandled while it runs.
  it('stops without waiting on Redis and drops the fan-out messages it could not send', async () => {
    const t = await startTestApp({ env: { REDIS_URL: redis.url } });
    // The Redis adapter is attached once its connections subscribed.
    await eventually(async () =>
      expect(String(await redis.command('PUBSUB', 'CHANNELS'))).toContain('socket.io'),
    );
    redis.freeze();
    try {
      // A broadcast for the other instances, sent on a connection that never answers.
      t.app.get(McpGateway).disconnectUser(randomUUID());
      await t.close();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      redis.thaw();
    }
    // Every connection of the instance was cut, none left to reconnect.
    await eventually(async () =>
      expect(String(await redis.command('CLIENT', 'LIST'))).not.toContain('name=smart-ai-hub'),
    );
  });
});
