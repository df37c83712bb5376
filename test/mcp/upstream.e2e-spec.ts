import { ChatMetrics } from '../../src/mcp/chat-metrics';
import { MetricsService } from '../../src/metrics/metrics.service';
import { loadAppConfig } from '../../src/config/app-config';
import { ChatError } from '../../src/mcp/chat.types';
import { ProviderRegistry } from '../../src/mcp/providers/provider-registry';
import { RunEvent, UpstreamRunner, UpstreamTarget } from '../../src/mcp/upstream-runner';
import { startFakeAnthropic } from '../support/fake-anthropic';
import { DEFAULT_CHUNKS } from '../support/fake-llm-server';
import { startFakeOpenAI } from '../support/fake-openai';
import { untilAborted } from './mcp-test-env';

type Fake = Awaited<ReturnType<typeof startFakeOpenAI>>;

const GPT: UpstreamTarget = { modelId: 'gpt-test', provider: 'openai', upstreamModel: 'gpt-up' };
const CLAUDE: UpstreamTarget = {
  modelId: 'claude-test',
  provider: 'anthropic',
  upstreamModel: 'claude-up',
};
const REQUEST = {
  messages: [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'Say hello' },
  ],
  maxTokens: 50,
};

describe('Upstream providers through the official SDKs against fake servers', () => {
  let openai: Fake;
  let anthropic: Fake;

  beforeAll(async () => {
    [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  });
  afterAll(async () => {
    await Promise.all([openai.close(), anthropic.close()]);
  });
  beforeEach(() => {
    openai.reset();
    anthropic.reset();
  });

  function runner(env: Record<string, string> = {}): UpstreamRunner {
    const config = loadAppConfig({
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.baseUrl,
      ANTHROPIC_API_KEY: anthropic.apiKey,
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      MCP_RETRY_BASE_DELAY: '10ms',
      MCP_FIRST_TOKEN_TIMEOUT: '2s',
      MCP_IDLE_TIMEOUT: '300ms',
      ...env,
    });
    return new UpstreamRunner(
      new ProviderRegistry(config),
      new ChatMetrics(new MetricsService()),
      config,
    );
  }

  async function collect(
    targets: UpstreamTarget[],
    options: {
      env?: Record<string, string>;
      signal?: AbortSignal;
      onEvent?: (event: RunEvent) => void;
    } = {},
  ): Promise<{ events: RunEvent[]; error?: ChatError; text: string }> {
    const events: RunEvent[] = [];
    let error: ChatError | undefined;
    try {
      const signal = options.signal ?? new AbortController().signal;
      await runner(options.env).run(targets, REQUEST, signal, (event) => {
        events.push(event);
        options.onEvent?.(event);
      });
    } catch (e) {
      if (!(e instanceof ChatError)) throw e;
      error = e;
    }
    const text = events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
    return { events, error, text };
  }

  it('streams OpenAI deltas in order, then the finish reason and the usage chunk', async () => {
    openai.behave({ chunks: ['One', ' two', ' three'], inputTokens: 21 });
    const { events, error, text } = await collect([GPT]);
    expect(error).toBeUndefined();
    expect(text).toBe('One two three');
    expect(events.filter((e) => e.type !== 'delta')).toEqual([
      { type: 'attempt', target: GPT },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', inputTokens: 21, outputTokens: 3 },
    ]);
    const sent = openai.requests[0];
    expect(sent.headers.authorization).toBe(`Bearer ${openai.apiKey}`);
    expect(sent.body).toMatchObject({
      model: 'gpt-up',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      messages: REQUEST.messages,
    });
    expect(sent.completed).toBe(true);
  });

  it('sends chats one after another over one kept-alive connection, for both SDKs', async () => {
    const upstream = runner();
    for (const target of [GPT, GPT, GPT, CLAUDE, CLAUDE, CLAUDE]) {
      const texts: string[] = [];
      await upstream.run([target], REQUEST, new AbortController().signal, (event) => {
        if (event.type === 'delta') texts.push(event.text);
      });
      expect(texts.join('')).toBe(DEFAULT_CHUNKS.join(''));
    }
    for (const fake of [openai, anthropic]) {
      expect(fake.requests.map((r) => r.completed)).toEqual([true, true, true]);
      expect(new Set(fake.requests.map((r) => r.connection)).size).toBe(1);
    }
  });

  it('streams Anthropic text_delta events with input usage first and output usage last', async () => {
    anthropic.behave({ chunks: ['Bonjour', ' !'], inputTokens: 9 });
    const { events, text } = await collect([CLAUDE]);
    expect(text).toBe('Bonjour !');
    expect(events.filter((e) => e.type !== 'delta')).toEqual([
      { type: 'attempt', target: CLAUDE },
      { type: 'usage', inputTokens: 9 },
      { type: 'usage', outputTokens: 2 },
      { type: 'finish', reason: 'end_turn' },
    ]);
    const { authorization, 'x-api-key': key } = anthropic.requests[0].headers;
    expect(key ?? authorization).toContain(anthropic.apiKey); // SDK 1.x sends a Bearer header
    expect(anthropic.requests[0].body).toMatchObject({
      model: 'claude-up',
      max_tokens: 50,
      stream: true,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
  });

  it('reports the max-tokens cut as the finish reason', async () => {
    openai.behave({ chunks: Array.from({ length: 80 }, (_, i) => ` w${i}`) });
    const { events } = await collect([GPT]);
    expect(events.filter((e) => e.type === 'delta')).toHaveLength(50);
    expect(events).toContainEqual({ type: 'finish', reason: 'length' });
  });

  it('retries a 429 before the first chunk and then succeeds', async () => {
    openai.failNext(429, 2);
    const { error, text } = await collect([GPT]);
    expect(error).toBeUndefined();
    expect(text).toBe('Hello from the fake');
    expect(openai.requests).toHaveLength(3);
  });

  it('gives up after MCP_MAX_RETRIES on 500s with PROVIDER_UNAVAILABLE', async () => {
    anthropic.behave({ errorStatus: 500 });
    const { error } = await collect([CLAUDE], { env: { MCP_MAX_RETRIES: '1' } });
    expect(error?.code).toBe('PROVIDER_UNAVAILABLE');
    expect(anthropic.requests).toHaveLength(2);
  });

  it('maps 429s that never stop to PROVIDER_RATE_LIMITED', async () => {
    openai.behave({ errorStatus: 429 });
    const { error } = await collect([GPT], { env: { MCP_MAX_RETRIES: '0' } });
    expect(error?.code).toBe('PROVIDER_RATE_LIMITED');
  });

  it('maps a refused key to PROVIDER_AUTH_FAILED without retrying', async () => {
    const { error } = await collect([GPT], { env: { OPENAI_API_KEY: 'sk-wrong-key-0123456789' } });
    expect(error?.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error?.message).not.toContain('sk-wrong');
    expect(openai.requests).toHaveLength(1);
  });

  it('runs the fallback when the primary fails before its first chunk', async () => {
    openai.behave({ errorStatus: 503 });
    anthropic.behave({ chunks: ['from', ' claude'] });
    const { events, text } = await collect([GPT, CLAUDE], { env: { MCP_MAX_RETRIES: '1' } });
    expect(text).toBe('from claude');
    const attempts = events.filter((e) => e.type === 'attempt');
    expect(attempts).toEqual([
      { type: 'attempt', target: GPT },
      { type: 'attempt', target: GPT },
      { type: 'attempt', target: CLAUDE },
    ]);
  });

  it('skips an unconfigured provider to its fallback, and names the variable when none is left', async () => {
    const skipped = await collect([GPT, CLAUDE], { env: { OPENAI_API_KEY: '' } });
    expect(skipped.text).toBe('Hello from the fake');
    expect(openai.requests).toHaveLength(0);
    const none = await collect([GPT], { env: { OPENAI_API_KEY: '' } });
    expect(none.error?.code).toBe('PROVIDER_UNAVAILABLE');
    expect(none.error?.message).toContain('OPENAI_API_KEY');
  });

  it('times out a stalled stream after the idle time, aborts it and does not switch or retry', async () => {
    openai.behave({ chunks: ['a', 'b', 'c', 'd'], stallAfter: 2 });
    const { error, text } = await collect([GPT, CLAUDE]);
    expect(error?.code).toBe('TIMEOUT');
    expect(text).toBe('ab');
    expect(openai.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(0);
    await untilAborted(openai);
  });

  it.each([
    ['OpenAI', () => openai, GPT],
    ['Anthropic', () => anthropic, CLAUDE],
  ])(
    'ends an %s stream whose provider reports an error midway with PROVIDER_UNAVAILABLE, without switching',
    async (_name, fake, target) => {
      fake().behave({ chunks: ['a', 'b', 'c', 'd'], failAfter: 2 });
      const { error, text } = await collect([target, target === GPT ? CLAUDE : GPT]);
      expect(error?.code).toBe('PROVIDER_UNAVAILABLE');
      expect(text).toBe('ab');
      expect(fake().requests).toHaveLength(1);
      expect(openai.requests.length + anthropic.requests.length).toBe(1);
    },
  );

  it('times out a slow first token and aborts that request', async () => {
    anthropic.hold(); // no first token until the test is over
    const { error } = await collect([CLAUDE], {
      env: { MCP_FIRST_TOKEN_TIMEOUT: '200ms', MCP_MAX_RETRIES: '0' },
    });
    expect(error?.code).toBe('TIMEOUT');
    expect(error?.message).toContain('first token');
    await untilAborted(anthropic);
  });

  it('aborts the upstream request at once when the caller cancels mid-stream', async () => {
    // The stream pauses after one chunk until the test is over: the cancel reaches a stream
    // that is still open, however slowly the machine runs.
    openai.behave({ chunks: Array.from({ length: 50 }, () => ' x'), holdAfter: 1 });
    const controller = new AbortController();
    const { error, text } = await collect([GPT], {
      signal: controller.signal,
      onEvent: (event) => event.type === 'delta' && controller.abort(), // cancelled mid-stream
    });
    expect(error?.code).toBe('CANCELLED');
    expect(text.length).toBeGreaterThan(0);
    await untilAborted(openai);
    expect(openai.requests[0].chunksSent).toBeLessThan(50);
  });
});
