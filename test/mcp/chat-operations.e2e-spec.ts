import { request } from '../support/contract';
import { fundedUser } from '../support/credit-users';
import { chat } from '../support/mcp-client';
import { useChatApp } from './mcp-test-env';

const METRICS_TOKEN = 'metrics-token-for-the-chat-test';
const HELLO = [{ role: 'user', content: 'A private question about my taxes' }];

/**
 * Issue 13 ("what a new operator hit"): chats write a start and an end line (model, tokens,
 * cost, outcome, request id; never content or credentials), and /metrics covers credits, holds,
 * streams, tokens and the upstream (first-token latency, failures, fallbacks).
 */
describe('chat operations: log lines and metrics', () => {
  const app = useChatApp({ METRICS_TOKEN, MCP_IDLE_TIMEOUT: '5s' });

  async function metrics(): Promise<string> {
    const res = await request(app.t.server)
      .get('/metrics')
      .set('Authorization', `Bearer ${METRICS_TOKEN}`)
      .expect(200);
    return res.text;
  }

  /** The value of one sample line, e.g. `mcp_chats_total{model="t-claude",outcome="complete"}`. */
  function sample(text: string, series: string): number | undefined {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  it('counts a finished chat: outcome, tokens, credits, the hold taken and captured, first-token latency', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await app.connect(user.sessionToken);
    // The stream waits after its first chunk until the scrape made while it streams is in.
    app.fakes.anthropic.behave({
      chunks: Array.from({ length: 10 }, (_, i) => ` w${i}`),
      holdAfter: 1,
    });
    let during: string | undefined;
    const out = await chat(
      socket,
      { request_id: 'ops-1', model: 't-claude', messages: HELLO },
      (c) => {
        if (c.index === 0) {
          void metrics().then((text) => {
            during = text;
            app.fakes.anthropic.release();
          });
        }
      },
    );
    expect(out.end).toBeDefined();
    // While it streamed: one open stream and one active hold.
    expect(sample(during!, 'mcp_streams_open')).toBe(1);
    expect(sample(during!, 'credit_holds_active')).toBe(1);
    expect(sample(during!, 'credit_holds_active_credits')).toBeGreaterThan(0);

    const after = await metrics();
    expect(sample(after, 'mcp_streams_open')).toBe(0);
    expect(sample(after, 'credit_holds_active')).toBe(0);
    expect(sample(after, 'mcp_chats_total{model="t-claude",outcome="complete"}')).toBe(1);
    expect(sample(after, 'mcp_chat_tokens_total{model="t-claude",direction="output"}')).toBe(10);
    expect(sample(after, 'mcp_chat_tokens_total{model="t-claude",direction="input"}')).toBe(12);
    expect(sample(after, 'mcp_chat_credits_total{model="t-claude"}')).toBeCloseTo(
      Number(out.end!.cost),
      4,
    );
    expect(sample(after, 'credit_operations_total{operation="reserve",outcome="ok"}')).toBe(1);
    expect(sample(after, 'credit_operations_total{operation="capture",outcome="ok"}')).toBe(1);
    expect(sample(after, 'credit_amount_total{operation="capture"}')).toBeCloseTo(
      Number(out.end!.cost),
      4,
    );
    expect(
      sample(after, 'mcp_upstream_first_token_seconds_count{provider="anthropic"}'),
    ).toBeGreaterThanOrEqual(1);

    // One line at the start and one at the end, with what an operator needs and no content.
    const lines = app.t.logs.lines.filter((l) => l.includes('"requestId":"ops-1"'));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = parsed.find((l) => l.msg === 'Chat started');
    const ended = parsed.find((l) => l.msg === 'Chat ended')!;
    expect(started).toMatchObject({ level: 30, userId: user.id, model: 't-claude' });
    expect(ended).toMatchObject({
      level: 30,
      userId: user.id,
      model: 't-claude',
      outcome: 'complete',
      inputTokens: 12,
      outputTokens: 10,
      cost: out.end!.cost,
      conversationId: out.ack.ok ? out.ack.conversation_id : undefined,
    });
    expect(typeof ended.ms).toBe('number');
    expect(lines.join('\n')).not.toContain('taxes');
    expect(app.t.logs.text).not.toContain(user.sessionToken);
  });

  it('counts upstream failures, the fallback and a refused chat', async () => {
    const user = await fundedUser(app.t, '10');
    const socket = await app.connect(user.sessionToken);
    // t-gpt-fb: OpenAI fails (500, retried), then its fallback t-claude answers.
    app.fakes.openai.behave({ errorStatus: 500 });
    const out = await chat(socket, { request_id: 'ops-2', model: 't-gpt-fb', messages: HELLO });
    expect(out.end).toMatchObject({ model: 't-claude', fallback_from: 't-gpt-fb' });
    const poor = await fundedUser(app.t, '0');
    const refused = await chat(await app.connect(poor.sessionToken), {
      request_id: 'ops-3',
      model: 't-claude',
      messages: HELLO,
    });
    expect(refused.ack).toMatchObject({ ok: false, code: 'INSUFFICIENT_CREDITS' });

    const text = await metrics();
    expect(
      sample(text, 'mcp_upstream_failures_total{provider="openai",failure="unavailable"}'),
    ).toBe(app.fakes.openai.requests.length);
    expect(sample(text, 'mcp_upstream_fallbacks_total{from="t-gpt-fb",to="t-claude"}')).toBe(1);
    expect(sample(text, 'mcp_chats_total{model="t-gpt-fb",outcome="complete"}')).toBe(1);
    expect(sample(text, 'mcp_chats_total{model="t-claude",outcome="INSUFFICIENT_CREDITS"}')).toBe(
      1,
    );
    expect(
      sample(text, 'credit_operations_total{operation="reserve",outcome="insufficient"}'),
    ).toBeGreaterThanOrEqual(1);
  });
});
