import { request } from '../support/contract';
import type { ConversationWithMessagesDto } from '../../src/conversations/dto/conversation.dto';
import { fundedUser, FundedUser } from '../support/credit-users';
import { cancel, chat, McpClient } from '../support/mcp-client';
import { accessTokenFor } from '../support/users';
import { unitsFromSql } from '../../src/common/money/credit-amount';
import { useChatApp } from '../mcp/mcp-test-env';

type Conversation = ConversationWithMessagesDto;

let counter = 0;
const rid = () => `conv-${++counter}`;

describe('Conversations: stored by chat:start, read and managed by their owner', () => {
  const app = useChatApp({ MCP_MESSAGES_PER_MINUTE: '1000', MCP_MAX_CONCURRENT_STREAMS: '20' });
  let owner: FundedUser;
  let ownerJwt: string;
  let socket: McpClient;

  const api = (method: 'get' | 'patch' | 'delete', path: string, jwt = ownerJwt) =>
    request(app.t.server)[method](path).set('Authorization', `Bearer ${jwt}`);
  const conversation = async (id: string) =>
    (await api('get', `/api/conversations/${id}`).expect(200)).body as Conversation;

  beforeAll(async () => {
    owner = await fundedUser(app.t, '100');
    ownerJwt = await accessTokenFor(app.t, owner);
    socket = await app.connect(owner.sessionToken);
  });

  it('a chat without conversation_id starts one: its id in the ack, titled from the first message, turn and answer stored with tokens, cost and ledger row', async () => {
    app.fakes.openai.behave({ chunks: ['Bangkok', ' is', ' hot'], inputTokens: 20 });
    const messages = [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: '  What is the weather\n in Bangkok   in April? Answer in one line please.',
      },
    ];
    const out = await chat(socket, { request_id: rid(), model: 't-gpt', messages });
    expect(out.ack).toEqual({ ok: true, conversation_id: expect.any(String) });
    const id = (out.ack as { conversation_id: string }).conversation_id;
    const stored = await conversation(id);
    expect(stored).toMatchObject({
      id,
      title: 'What is the weather in Bangkok in April? Answer in one line please.',
      model: 't-gpt',
      total_cost: out.end!.cost,
    });
    const [ledgerRow] = await app.t.database.query<{ id: string; amount: string }>(
      `SELECT id, amount::text AS amount FROM credit_transactions
        WHERE user_id = $1 AND metadata->>'request_id' = $2`,
      [owner.id, out.end!.request_id],
    );
    expect(stored.messages).toEqual([
      expect.objectContaining({
        role: 'system',
        content: 'Be brief.',
        status: 'complete',
        cost: null,
      }),
      expect.objectContaining({ role: 'user', content: messages[1].content, status: 'complete' }),
      expect.objectContaining({
        role: 'assistant',
        content: 'Bangkok is hot',
        model: 't-gpt',
        input_tokens: 20,
        output_tokens: 3,
        cost: out.end!.cost,
        transaction_id: ledgerRow.id,
        status: 'complete',
      }),
    ]);
  });

  it('stores every conversation of chats started at once, and every answer of chats continuing one at once', async () => {
    app.fakes.openai.behave({ chunks: ['ok'], inputTokens: 5 });
    const ask = (content: string, conversationId?: string) =>
      chat(socket, {
        request_id: rid(),
        model: 't-gpt',
        messages: [{ role: 'user', content }],
        ...(conversationId ? { conversation_id: conversationId } : {}),
      });
    const started = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(`Question ${i}`)));
    const ids = started.map((out) => (out.ack as { conversation_id: string }).conversation_id);
    for (const [i, id] of ids.entries()) {
      const stored = await conversation(id);
      expect(stored).toMatchObject({ title: `Question ${i}`, total_cost: started[i].end!.cost });
      expect(stored.messages.map((m) => [m.role, m.content])).toEqual([
        ['user', `Question ${i}`],
        ['assistant', 'ok'],
      ]);
    }
    const continued = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ask(`More ${i}`, ids[0])),
    );
    const stored = await conversation(ids[0]);
    expect(stored.messages).toHaveLength(2 + 6 * 2);
    const units = (cost: string) => unitsFromSql(cost);
    const total = [started[0], ...continued].reduce((sum, out) => sum + units(out.end!.cost), 0n);
    expect(units(stored.total_cost)).toBe(total);
    expect(
      stored.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .sort(),
    ).toEqual(['Question 0', ...Array.from({ length: 6 }, (_, i) => `More ${i}`)].sort());
  });

  it('a chat with conversation_id sends the stored history before the new turn and appends to it', async () => {
    app.fakes.openai.behave({ chunks: ['First', ' answer'], inputTokens: 10 });
    const first = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      messages: [{ role: 'user', content: 'Remember the number 7' }],
    });
    const id = (first.ack as { conversation_id: string }).conversation_id;
    app.fakes.openai.behave({ chunks: ['It', ' was', ' 7'], inputTokens: 30 });
    const second = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      conversation_id: id,
      messages: [{ role: 'user', content: 'Which number?' }],
    });
    expect(second.ack).toEqual({ ok: true, conversation_id: id });
    expect(app.fakes.openai.requests.at(-1)?.body.messages).toEqual([
      { role: 'user', content: 'Remember the number 7' },
      { role: 'assistant', content: 'First answer' },
      { role: 'user', content: 'Which number?' },
    ]);
    const stored = await conversation(id);
    expect(stored.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Remember the number 7'],
      ['assistant', 'First answer'],
      ['user', 'Which number?'],
      ['assistant', 'It was 7'],
    ]);
    const sum = (Number(first.end!.cost) + Number(second.end!.cost)).toFixed(4);
    expect(Number(stored.total_cost).toFixed(4)).toBe(sum);
  });

  it("trims the history to the model's context window, newest messages kept", async () => {
    // A window of 160 tokens, 100 of which are reserved for the answer.
    await app.t.database.query(
      `INSERT INTO models (id, display_name, provider, upstream_model, input_price_per_1k, output_price_per_1k, max_output_tokens, context_window)
       VALUES ('t-small', 'Small window', 'openai', 'gpt-small', 1, 2, 100, 160)`,
    );
    const long = (word: string) => `${word} `.repeat(30).trim(); // ~30 tokens each
    app.fakes.openai.behave({ chunks: [long('alpha')] });
    const first = await chat(socket, {
      request_id: rid(),
      model: 't-small',
      messages: [{ role: 'user', content: long('one') }],
    });
    const id = (first.ack as { conversation_id: string }).conversation_id;
    app.fakes.openai.behave({ chunks: [long('beta')] });
    await chat(socket, {
      request_id: rid(),
      model: 't-small',
      conversation_id: id,
      messages: [{ role: 'user', content: long('two') }],
    });
    app.fakes.openai.behave({ chunks: ['ok'] });
    await chat(socket, {
      request_id: rid(),
      model: 't-small',
      conversation_id: id,
      messages: [{ role: 'user', content: 'short question' }],
    });
    // 60 tokens for the prompt; the new turn takes 9 (3 + 4 framing + 2), leaving 51 for history
    // at 4 framing tokens per message: the answers count their 1 reported output token (5 each),
    // the user turns 30 (34 each). Newest first: 5 + 34 + 5 = 44 fit, the oldest turn does not.
    expect(app.fakes.openai.requests.at(-1)?.body.messages).toEqual([
      { role: 'assistant', content: long('alpha') },
      { role: 'user', content: long('two') },
      { role: 'assistant', content: long('beta') },
      { role: 'user', content: 'short question' },
    ]);
  });

  it('stores a cancelled answer with the delivered part and status cancelled', async () => {
    // The stream waits after three chunks until the cancel is acknowledged.
    app.fakes.openai.behave({
      chunks: Array.from({ length: 50 }, (_, i) => ` w${i}`),
      holdAfter: 3,
    });
    const requestId = rid();
    const out = await chat(
      socket,
      { request_id: requestId, model: 't-gpt', messages: [{ role: 'user', content: 'Count' }] },
      (_c, all) => {
        if (all.length === 3) void cancel(socket, requestId).then(() => app.fakes.openai.release());
      },
    );
    expect(out.error).toMatchObject({ code: 'CANCELLED' });
    const id = (out.ack as { conversation_id: string }).conversation_id;
    const stored = await conversation(id);
    expect(stored.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: out.text,
      status: 'cancelled',
      cost: out.error!.cost,
    });
  });

  it('lists the conversations most recently updated first, page by page with the cursor', async () => {
    const user = await fundedUser(app.t, '10');
    const jwt = await accessTokenFor(app.t, user);
    const own = await app.connect(user.sessionToken);
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      const out = await chat(own, {
        request_id: rid(),
        model: 't-gpt',
        messages: [{ role: 'user', content: text }],
      });
      ids.push((out.ack as { conversation_id: string }).conversation_id);
    }
    const page1 = await api('get', '/api/conversations?limit=2', jwt).expect(200);
    expect(page1.body.conversations.map((c: Conversation) => c.title)).toEqual(['third', 'second']);
    expect(page1.body.next_cursor).toBe(ids[1]);
    const page2 = await api(
      'get',
      `/api/conversations?limit=2&cursor=${page1.body.next_cursor}`,
      jwt,
    ).expect(200);
    expect(page2.body).toEqual({
      conversations: [expect.objectContaining({ id: ids[0], title: 'first', model: 't-gpt' })],
      next_cursor: null,
    });
    await api('get', '/api/conversations?cursor=not-a-uuid', jwt).expect(400);
    await api('get', '/api/conversations?limit=0', jwt).expect(400);
  });

  it('renames a conversation; a blank title is refused', async () => {
    const out = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      messages: [{ role: 'user', content: 'Name me' }],
    });
    const id = (out.ack as { conversation_id: string }).conversation_id;
    const renamed = await api('patch', `/api/conversations/${id}`)
      .send({ title: 'Renamed' })
      .expect(200);
    expect(renamed.body).toMatchObject({ id, title: 'Renamed' });
    await api('patch', `/api/conversations/${id}`).send({ title: '   ' }).expect(400);
    await api('patch', `/api/conversations/${id}`)
      .send({ title: 'x'.repeat(201) })
      .expect(400);
    expect((await conversation(id)).title).toBe('Renamed');
  });

  it('exports a conversation as Markdown', async () => {
    app.fakes.openai.behave({ chunks: ['Use', ' a', ' map'], inputTokens: 5 });
    const out = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      messages: [{ role: 'user', content: 'How do I get there?' }],
    });
    const id = (out.ack as { conversation_id: string }).conversation_id;
    const res = await api('get', `/api/conversations/${id}/export`).expect(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="conversation-${id}.md"`);
    expect(res.text).toContain('# How do I get there?');
    expect(res.text).toContain('## User\n');
    expect(res.text).toContain('How do I get there?');
    expect(res.text).toContain('## Assistant (t-gpt)');
    expect(res.text).toContain('Use a map');
  });

  it('deletes a conversation with its messages and keeps the ledger rows', async () => {
    const out = await chat(socket, {
      request_id: rid(),
      model: 't-gpt',
      messages: [{ role: 'user', content: 'Forget me' }],
    });
    const id = (out.ack as { conversation_id: string }).conversation_id;
    const ledgerBefore = await app.t.database.query(
      `SELECT id FROM credit_transactions WHERE user_id = $1`,
      [owner.id],
    );
    await api('delete', `/api/conversations/${id}`).expect(204);
    await api('get', `/api/conversations/${id}`).expect(404);
    await api('delete', `/api/conversations/${id}`).expect(404);
    expect(
      await app.t.database.query(`SELECT 1 FROM conversation_messages WHERE conversation_id = $1`, [
        id,
      ]),
    ).toEqual([]);
    expect(
      await app.t.database.query(`SELECT id FROM credit_transactions WHERE user_id = $1`, [
        owner.id,
      ]),
    ).toEqual(ledgerBefore);
  });

  describe("someone else's conversation", () => {
    let id: string;
    let stranger: FundedUser;
    let strangerJwt: string;

    beforeAll(async () => {
      const out = await chat(socket, {
        request_id: rid(),
        model: 't-gpt',
        messages: [{ role: 'user', content: 'Private' }],
      });
      id = (out.ack as { conversation_id: string }).conversation_id;
      stranger = await fundedUser(app.t, '10');
      strangerJwt = await accessTokenFor(app.t, stranger);
    });

    it('is 404 on every route, as a missing one is', async () => {
      await api('get', `/api/conversations/${id}`, strangerJwt).expect(404);
      await api('get', `/api/conversations/${id}/export`, strangerJwt).expect(404);
      await api('patch', `/api/conversations/${id}`, strangerJwt)
        .send({ title: 'Mine' })
        .expect(404);
      await api('delete', `/api/conversations/${id}`, strangerJwt).expect(404);
      const list = await api('get', '/api/conversations', strangerJwt).expect(200);
      expect(list.body).toEqual({ conversations: [], next_cursor: null });
      expect((await conversation(id)).title).toBe('Private');
    });

    it('cannot be continued by chat:start: INVALID_REQUEST, nothing sent upstream or stored', async () => {
      const other = await app.connect(stranger.sessionToken);
      const out = await chat(other, {
        request_id: rid(),
        model: 't-gpt',
        conversation_id: id,
        messages: [{ role: 'user', content: 'Let me in' }],
      });
      expect(out.ack).toEqual({
        ok: false,
        code: 'INVALID_REQUEST',
        message: `No conversation ${id}`,
      });
      expect(app.fakes.openai.requests).toHaveLength(0);
      expect((await conversation(id)).messages).toHaveLength(2);
    });
  });

  it('refuses calls without a token (401) and malformed ids (400)', async () => {
    await request(app.t.server).get('/api/conversations').expect(401);
    await api('get', '/api/conversations/not-a-uuid').expect(400);
  });
});
