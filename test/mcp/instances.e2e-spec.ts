import { randomUUID } from 'node:crypto';
import { McpGateway } from '../../src/mcp/mcp.gateway';
import { fundedUser, ledgerOf } from '../support/credit-users';
import { chat, closeMcp, connectMcp, McpClient, urlOf } from '../support/mcp-client';
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
    fakes.anthropic.behave({ chunks: ['long'], firstChunkDelayMs: 800 });
    const first = chat(onA, { requestId: 'one', model: 't-claude', messages: HELLO });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await chat(onB, { requestId: 'two', model: 't-claude', messages: HELLO });
    expect(second.ack).toMatchObject({ ok: false, code: 'TOO_MANY_STREAMS' });
    expect((await first).end).toBeDefined();
    const again = await chat(onB, { requestId: 'three', model: 't-claude', messages: HELLO });
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
});
