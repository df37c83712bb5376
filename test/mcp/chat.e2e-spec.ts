import { request } from '../support/contract';
import { accessTokenFor } from '../support/users';
import { formatLedger, ledgerUnits } from '../../src/mcp/pricing';
import { TokenEstimator } from '../../src/mcp/token-estimator';
import { fundedUser, FundedUser, ledgerOf } from '../support/credit-users';
import { whileAccountLocked } from '../support/credits';
import { eventually } from '../support/eventually';
import { cancel, chat, connectMcp, McpClient } from '../support/mcp-client';
import { untilAborted, useChatApp } from './mcp-test-env';

const HELLO = [{ role: 'user', content: 'Say hello' }];
const estimator = new TokenEstimator();
let counter = 0;
const rid = () => `req-${++counter}`;

/** Exact expected cost: tokens × price per 1,000, rounded up to 0.0001 (prices as integers /1000). */
function expectedCost(
  inputTokens: number,
  inPer1k: number,
  outputTokens: number,
  outPer1k: number,
) {
  // in ten-thousandths: tokens × price / 1000 × 10,000 = tokens × price × 10, rounded up
  const exactTimes100 = BigInt(inputTokens * inPer1k * 1000 + outputTokens * outPer1k * 1000);
  return formatLedger((exactTimes100 + 99n) / 100n);
}

describe('Mcp chat gateway (Socket.IO /mcp) against fake providers', () => {
  // A first-token limit well above the fakes' delays: fifty requests go upstream at once below.
  const app = useChatApp({
    MCP_MAX_CONCURRENT_STREAMS: '100',
    MCP_MESSAGES_PER_MINUTE: '10000',
    MCP_FIRST_TOKEN_TIMEOUT: '15s',
  });
  const connect = (token: unknown) => app.connect(token);
  /** A round trip through the server: whatever it sent this socket before has arrived. */
  const roundTrip = (socket: McpClient) => cancel(socket, 'no-such-chat');

  describe('connection', () => {
    it('accepts a VERIFIED session token and a JWT access token', async () => {
      const user = await fundedUser(app.t, '1');
      await expect(connect(user.sessionToken)).resolves.toBeDefined();
      const jwt = await accessTokenFor(app.t, user);
      await expect(connect(jwt)).resolves.toBeDefined();
    });

    it.each([
      ['no token', undefined],
      ['a wrong session token', 'VERIFIED-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['a garbage JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.bad'],
      ['a number', 42],
    ])('refuses %s with connect_error "unauthorized"', async (_what, token) => {
      await expect(connectMcp(app.url, token)).rejects.toThrow('unauthorized');
    });
  });

  describe('GET /api/mcp/v1/models', () => {
    it('lists enabled models with prices and whether their provider is configured', async () => {
      const res = await request(app.t.server).get('/api/mcp/v1/models').expect(200);
      const models = (res.body as { models: { id: string }[] }).models;
      const byId = Object.fromEntries(models.map((m) => [m.id, m]));
      expect(byId['t-gpt-fb']).toEqual({
        id: 't-gpt-fb',
        name: 'Test GPT with fallback',
        provider: 'openai',
        input_price_per_1k: '1',
        output_price_per_1k: '2',
        max_output_tokens: 4096,
        fallback: 't-claude',
        available: true,
      });
      expect(byId['gpt-4o-mini']).toMatchObject({
        provider: 'openai',
        input_price_per_1k: '0.015',
      });
      expect(byId['claude-sonnet-4-5']).toMatchObject({ provider: 'anthropic', available: true });
    });
  });

  describe('streaming and charging', () => {
    let user: FundedUser;
    let socket: McpClient;

    beforeAll(async () => {
      user = await fundedUser(app.t, '10');
      socket = await connect(user.sessionToken);
    });

    it('streams the chunks in order and charges usage × price as one chat ledger row', async () => {
      app.fakes.openai.behave({ chunks: ['One', ' two', ' three', ' four'], inputTokens: 12 });
      const requestId = rid();
      const out = await chat(socket, {
        request_id: requestId,
        model: 't-gpt',
        messages: HELLO,
        max_tokens: 100,
      });
      expect(out.ack).toEqual({ ok: true, conversation_id: expect.any(String) });
      expect(out.chunks).toEqual([
        { request_id: requestId, index: 0, delta: 'One' },
        { request_id: requestId, index: 1, delta: ' two' },
        { request_id: requestId, index: 2, delta: ' three' },
        { request_id: requestId, index: 3, delta: ' four' },
      ]);
      // 12 × 1/1000 + 4 × 2/1000 = 0.02
      expect(out.end).toEqual({
        request_id: requestId,
        provider: 'openai',
        model: 't-gpt',
        usage: { input_tokens: 12, output_tokens: 4 },
        cost: '0.02',
        new_balance: '9.98',
        finish_reason: 'stop',
      });
      const ledger = await ledgerOf(app.t, user.id);
      expect(ledger.balance).toBe('9.9800');
      expect(ledger.ledgerSum).toBe('9.9800');
      expect(ledger.chatRows).toEqual([
        {
          amount: '-0.0200',
          service: 'chat',
          metadata: expect.objectContaining({
            request_id: requestId,
            model: 't-gpt',
            provider: 'openai',
            input_tokens: 12,
            output_tokens: 4,
          }),
        },
      ]);
      const holds = await app.t.database.query(
        `SELECT status, captured_amount::text AS captured FROM credit_holds WHERE user_id = $1`,
        [user.id],
      );
      expect(holds).toEqual([{ status: 'captured', captured: '0.0200' }]);
    });

    it('streams Anthropic and charges at the Anthropic model’s prices, rounded up', async () => {
      app.fakes.anthropic.behave({ chunks: ['Hi', ' there', '!'], inputTokens: 7 });
      const before = (await ledgerOf(app.t, user.id)).balance;
      const out = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
      expect(out.text).toBe('Hi there!');
      // 7 × 0.5/1000 + 3 × 1.5/1000 = 0.0035 + 0.0045 = 0.008
      expect(out.end).toMatchObject({
        provider: 'anthropic',
        cost: '0.008',
        finish_reason: 'end_turn',
      });
      const after = await ledgerOf(app.t, user.id);
      expect(ledgerUnits(before) - ledgerUnits(after.balance)).toBe(80n);
      expect(out.end!.new_balance).toBe(formatLedger(ledgerUnits(after.balance)));
    });

    it('takes special-token text such as <|endoftext|> in a message as plain text', async () => {
      app.fakes.openai.behave({ chunks: ['Plain', ' text'], inputTokens: 9 });
      const messages = [{ role: 'user', content: 'What does <|endoftext|> mean?' }];
      const out = await chat(socket, { request_id: rid(), model: 't-gpt', messages });
      expect(out.ack).toEqual({ ok: true, conversation_id: expect.any(String) });
      expect(out.text).toBe('Plain text');
      expect(out.end).toMatchObject({ usage: { input_tokens: 9, output_tokens: 2 } });
      expect(app.fakes.openai.requests.at(-1)?.body).toMatchObject({ messages });
    });

    it('falls back to the other provider when the primary fails before the first chunk', async () => {
      app.fakes.openai.behave({ errorStatus: 500 });
      app.fakes.anthropic.behave({ chunks: ['fallback', ' answer'], inputTokens: 10 });
      const out = await chat(socket, { request_id: rid(), model: 't-gpt-fb', messages: HELLO });
      expect(out.text).toBe('fallback answer');
      expect(out.end).toMatchObject({
        provider: 'anthropic',
        model: 't-claude',
        fallback_from: 't-gpt-fb',
        cost: expectedCost(10, 0.5, 2, 1.5),
      });
      expect(app.fakes.openai.requests.length).toBe(3); // first try + MCP_MAX_RETRIES (2)
    });

    it('retries a 429 before the first chunk and then streams', async () => {
      app.fakes.openai.failNext(429);
      const out = await chat(socket, { request_id: rid(), model: 't-gpt', messages: HELLO });
      expect(out.text).toBe('Hello from the fake');
      expect(out.end?.provider).toBe('openai');
      expect(app.fakes.openai.requests).toHaveLength(2);
    });

    it('charges the prompt plus the delivered output when the client cancels mid-stream', async () => {
      app.fakes.openai.behave({
        chunks: Array.from({ length: 60 }, () => ' word'),
        chunkDelayMs: 25,
      });
      const before = await ledgerOf(app.t, user.id);
      const requestId = rid();
      let cancelAck: Promise<unknown> | undefined;
      const out = await chat(
        socket,
        { request_id: requestId, model: 't-gpt', messages: HELLO },
        (_c, all) => {
          if (all.length === 3) cancelAck = cancel(socket, requestId);
        },
      );
      await expect(cancelAck).resolves.toEqual({ ok: true });
      expect(out.end).toBeUndefined();
      expect(out.error).toMatchObject({ request_id: requestId, code: 'CANCELLED' });
      expect(out.chunks.length).toBeGreaterThanOrEqual(3);
      expect(out.chunks.length).toBeLessThan(60);
      const inputTokens = await estimator.input(HELLO as never);
      const outputTokens = await estimator.count(out.text);
      expect(out.error!.cost).toBe(expectedCost(inputTokens, 1, outputTokens, 2));
      await untilAborted(app.fakes.openai);
      const after = await ledgerOf(app.t, user.id);
      expect(ledgerUnits(before.balance) - ledgerUnits(after.balance)).toBe(
        ledgerUnits(out.error!.cost),
      );
      expect(after.chatRows.at(-1)).toMatchObject({
        metadata: expect.objectContaining({
          request_id: requestId,
          input_tokens: inputTokens,
          output_tokens: outputTokens,
        }),
      });
    });

    it('times out a stalled stream with TIMEOUT and a partial charge', async () => {
      app.fakes.anthropic.behave({ chunks: ['a', 'b', 'c', 'd'], stallAfter: 2, inputTokens: 20 });
      const out = await chat(socket, { request_id: rid(), model: 't-claude', messages: HELLO });
      expect(out.text).toBe('ab');
      expect(out.error).toMatchObject({ code: 'TIMEOUT' });
      // Anthropic reported the input (message_start); the output is our own count of "ab".
      expect(out.error!.cost).toBe(expectedCost(20, 0.5, await estimator.count('ab'), 1.5));
      await untilAborted(app.fakes.anthropic);
    });

    it('charges nothing when the upstream fails before any output', async () => {
      app.fakes.openai.behave({ errorStatus: 500 });
      const before = await ledgerOf(app.t, user.id);
      const out = await chat(socket, { request_id: rid(), model: 't-gpt', messages: HELLO });
      expect(out.ack).toEqual({ ok: true, conversation_id: expect.any(String) });
      expect(out.error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', cost: '0' });
      const after = await ledgerOf(app.t, user.id);
      expect(after.balance).toBe(before.balance);
      expect(after.chatRows).toHaveLength(before.chatRows.length);
      const [{ active }] = await app.t.database.query<{ active: string }>(
        `SELECT count(*)::text AS active FROM credit_holds WHERE user_id = $1 AND status = 'active'`,
        [user.id],
      );
      expect(active).toBe('0');
    });

    it('answers bad payloads with INVALID_REQUEST and keeps the socket working', async () => {
      const bad: unknown[] = [
        'not an object',
        { request_id: 5, model: 't-gpt', messages: HELLO },
        { request_id: rid(), model: 't-gpt', messages: [{ role: 'robot', content: 'x' }] },
        { request_id: rid(), model: 't-gpt', messages: [{ role: 'user', content: 42 }] },
        { request_id: rid(), model: 't-gpt', messages: Array(1000).fill(HELLO[0]) },
        // Over MCP_MAX_INPUT_CHARS (400,000) yet within the frame limit: read and answered.
        {
          request_id: rid(),
          model: 't-gpt',
          messages: [{ role: 'user', content: 'x'.repeat(400_001) }],
        },
        { request_id: rid(), model: 't-gpt', messages: HELLO, max_tokens: -1 },
      ];
      for (const payload of bad) {
        const out = await chat(socket, payload);
        expect(out.ack).toMatchObject({ ok: false, code: 'INVALID_REQUEST' });
      }
      const unknownModel = await chat(socket, {
        request_id: rid(),
        model: 'nope',
        messages: HELLO,
      });
      expect(unknownModel.ack).toMatchObject({ ok: false, code: 'MODEL_NOT_FOUND' });
      expect(app.fakes.openai.requests).toHaveLength(0);
      const fine = await chat(socket, { request_id: rid(), model: 't-gpt', messages: HELLO });
      expect(fine.end).toBeDefined();
      expect(socket.connected).toBe(true);
    });

    it('refuses a chat:cancel for an unknown request_id', async () => {
      await expect(cancel(socket, 'never-started')).resolves.toMatchObject({
        ok: false,
        code: 'INVALID_REQUEST',
      });
    });

    it('accepts the old names requestId and maxTokens (chat:start, chat:cancel) for one release; answers in the new ones', async () => {
      app.fakes.openai.behave({ chunks: ['a', 'b', 'c', 'd', 'e', 'f'], chunkDelayMs: 30 });
      const requestId = rid();
      const out = await chat(
        socket,
        { requestId, model: 't-gpt', messages: HELLO, maxTokens: 50 },
        (_chunk, all) => {
          if (all.length === 2) {
            socket.emit('chat:cancel', { requestId } as never, () => undefined);
          }
        },
      );
      expect(out.ack).toEqual({ ok: true, conversation_id: expect.any(String) });
      expect(out.chunks[0]).toEqual({ request_id: requestId, index: 0, delta: 'a' });
      expect(out.error).toMatchObject({ request_id: requestId, code: 'CANCELLED' });
      expect(app.fakes.openai.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 50 });
      // Both names of one field: which would win is not obvious, so neither does.
      const both = await chat(socket, {
        request_id: rid(),
        requestId: rid(),
        model: 't-gpt',
        messages: HELLO,
      });
      expect(both.ack).toEqual({
        ok: false,
        code: 'INVALID_REQUEST',
        message: 'Send request_id only: requestId is its old name',
      });
    });
  });

  describe('holds against one balance', () => {
    /** 100 × 2/1000 = 0.2 credits of answer, plus the input. */
    const chatFor100Tokens = (socket: McpClient) =>
      chat(socket, { request_id: rid(), model: 't-gpt', messages: HELLO, max_tokens: 100 });

    it('a hold refused after the request went upstream: no chunk delivered, no charge, no ledger row, the upstream aborted; a chat the known balance cannot pay waits for its hold and sends nothing', async () => {
      // 0.21 pays the answer (100 × 2/1000 = 0.2), so the request goes upstream at once, but not
      // the whole hold (+ (9 × 1.1 + 16) input tokens × 1/1000 = 0.026).
      const poor = await fundedUser(app.t, '0.21');
      const socket = await connect(poor.sessionToken);
      app.fakes.openai.behave({ chunks: ['never', ' seen'] });
      app.fakes.openai.hold(); // the upstream answers nothing before the refusal (released in reset)
      const seen: unknown[] = [];
      socket.on('chat:chunk', (chunk) => seen.push(chunk));
      // The hold waits on the locked account row until the request has reached the upstream (a
      // hold answered before the request is sent ends the chat without sending it).
      const started = await whileAccountLocked(app.t.database, poor.id, async () => {
        const pending = chatFor100Tokens(socket);
        // Sent at once, in parallel with the hold, and aborted when the hold was refused.
        await app.fakes.openai.arrived(1);
        return { pending };
      });
      const out = await started.pending;
      expect(out.ack).toMatchObject({ ok: false, code: 'INSUFFICIENT_CREDITS' });
      await untilAborted(app.fakes.openai);
      expect(app.fakes.openai.requests[0].completed).toBe(false);
      const ledger = await ledgerOf(app.t, poor.id);
      expect(ledger).toEqual({ balance: '0.2100', ledgerSum: '0.2100', chatRows: [] });
      expect(
        await app.t.database.query(`SELECT 1 FROM credit_holds WHERE user_id = $1`, [poor.id]),
      ).toEqual([]);
      // 0.21 cannot even pay 200 × 2/1000 = 0.4 of answer: the hold comes first, nothing is sent.
      const again = await chat(socket, {
        request_id: rid(),
        model: 't-gpt',
        messages: HELLO,
        max_tokens: 200,
      });
      expect(again.ack).toMatchObject({ ok: false, code: 'INSUFFICIENT_CREDITS' });
      expect(app.fakes.openai.requests).toHaveLength(1);
      expect(seen).toEqual([]);
    });

    it('a hold refused after upstream chunks already arrived: none of them is delivered, no charge, the upstream aborted', async () => {
      const poor = await fundedUser(app.t, '0.21');
      const socket = await connect(poor.sessionToken);
      // A long answer that starts at once, while the hold waits on the locked account row.
      app.fakes.openai.behave({ chunks: Array<string>(40).fill(' word'), chunkDelayMs: 50 });
      const seen: unknown[] = [];
      socket.on('chat:chunk', (chunk) => seen.push(chunk));
      const started = await whileAccountLocked(app.t.database, poor.id, async () => {
        const pending = chatFor100Tokens(socket);
        // The upstream is already streaming to the hub before the hold is decided.
        await eventually(() =>
          expect(app.fakes.openai.requests[0]?.chunksSent).toBeGreaterThanOrEqual(3),
        );
        return { pending };
      });
      expect((await started.pending).ack).toMatchObject({
        ok: false,
        code: 'INSUFFICIENT_CREDITS',
      });
      await untilAborted(app.fakes.openai);
      expect(app.fakes.openai.requests[0].completed).toBe(false);
      expect(await roundTrip(socket)).toMatchObject({ ok: false });
      expect(seen).toEqual([]);
      expect(await ledgerOf(app.t, poor.id)).toEqual({
        balance: '0.2100',
        ledgerSum: '0.2100',
        chatRows: [],
      });
      expect(
        await app.t.database.query(`SELECT 1 FROM credit_holds WHERE user_id = $1`, [poor.id]),
      ).toEqual([]);
    });

    it('lets only the chats that fit start, fifty at once, and never overspends', async () => {
      const user = await fundedUser(app.t, '1');
      // Long enough streams that every reservation happens while the first holds are still held.
      app.fakes.openai.behave({ chunks: ['a', 'b'], firstChunkDelayMs: 1200, inputTokens: 10 });
      const clients = await Promise.all(
        Array.from({ length: 5 }, () => connect(user.sessionToken)),
      );
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          chat(clients[i % 5], {
            request_id: rid(),
            model: 't-gpt',
            messages: HELLO,
            max_tokens: 100,
          }),
        ),
      );
      const started = outcomes.filter((o) => o.ack.ok);
      const refused = outcomes.filter((o) => !o.ack.ok);
      // Each hold is (input estimate × 1.1 + 16) × 1/1000 + 100 × 2/1000 ≈ 0.23: four fit in 1.
      const hold = ledgerUnits(
        expectedCost(
          Math.ceil(((await estimator.input(HELLO as never)) * 110) / 100) + 16,
          1,
          100,
          2,
        ),
      );
      expect(started).toHaveLength(Number(10_000n / hold));
      expect(refused.every((o) => !o.ack.ok && o.ack.code === 'INSUFFICIENT_CREDITS')).toBe(true);
      expect(started.every((o) => o.end?.cost === expectedCost(10, 1, 2, 2))).toBe(true);
      const ledger = await ledgerOf(app.t, user.id);
      expect(ledger.balance).toBe(ledger.ledgerSum);
      expect(ledgerUnits(ledger.balance)).toBe(10_000n - BigInt(started.length) * 140n);
    });
  });

  describe('disconnect mid-stream', () => {
    it('aborts upstream and charges what was delivered', async () => {
      const user = await fundedUser(app.t, '5');
      const socket = await connect(user.sessionToken);
      app.fakes.anthropic.behave({
        chunks: Array.from({ length: 80 }, () => ' more'),
        chunkDelayMs: 25,
        inputTokens: 30,
      });
      let received = 0;
      await new Promise<void>((resolve) => {
        socket.on('chat:chunk', () => {
          if (++received === 4) {
            socket.disconnect();
            resolve();
          }
        });
        socket.emit(
          'chat:start',
          { request_id: rid(), model: 't-claude', messages: HELLO } as never,
          () => undefined,
        );
      });
      await untilAborted(app.fakes.anthropic);
      expect(app.fakes.anthropic.requests[0].chunksSent).toBeLessThan(80);
      const ledger = await eventually(async () => {
        const state = await ledgerOf(app.t, user.id);
        expect(state.chatRows).toHaveLength(1);
        return state;
      });
      const row = ledger.chatRows[0] as { amount: string; metadata: { output_tokens: number } };
      // At least the four chunks the client saw; at most what the hub had sent when it noticed.
      expect(row.metadata.output_tokens).toBeGreaterThanOrEqual(4);
      expect(row.metadata.output_tokens).toBeLessThan(80);
      expect(-ledgerUnits(row.amount.slice(1))).toBe(
        -ledgerUnits(expectedCost(30, 0.5, row.metadata.output_tokens, 1.5)),
      );
      expect(ledger.balance).toBe(ledger.ledgerSum);
    });
  });
});
