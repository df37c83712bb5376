import OpenAI from 'openai';
import { AddressInfo, connect, Socket } from 'node:net';
import { createServer } from 'node:tls';
import { UpstreamError, type ProviderEvent } from '../../src/mcp/providers/chat-provider';
import { nodeHttpFetch } from '../../src/mcp/providers/node-http-fetch';
import { OpenAiProvider } from '../../src/mcp/providers/openai.provider';
import { SdkJsonPost } from '../../src/mcp/providers/sdk-json-post';
import { DEFAULT_CHUNKS } from '../support/fake-llm-server';
import { startFakeOpenAI } from '../support/fake-openai';
import { selfSignedCertificate } from '../support/self-signed-cert';

type Fake = Awaited<ReturnType<typeof startFakeOpenAI>>;

/** TLS in front of the fake: every connection is decrypted and piped to its plain-HTTP port. */
async function tlsFront(fake: Fake, key: string, cert: string) {
  const target = new URL(fake.root);
  const sockets = new Set<Socket>();
  const server = createServer({ key, cert }, (socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    // The client keeps its connection alive: end it here.
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('The provider SDKs over our fetch (node:http / node:https with keep-alive)', () => {
  const { key, cert } = selfSignedCertificate('localhost');
  let fake: Fake;
  let front: Awaited<ReturnType<typeof tlsFront>>;
  let baseURL: string;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    front = await tlsFront(fake, key, cert);
    baseURL = `https://localhost:${front.port}/v1`;
  });
  afterAll(async () => {
    await front.close();
    await fake.close();
  });

  async function streamedText(client: OpenAI): Promise<string> {
    const stream = await client.chat.completions.create({
      model: 'gpt-up',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    return text;
  }

  it('streams a chat over https from a server whose certificate it trusts', async () => {
    const fetch = nodeHttpFetch({ ca: cert });
    const client = new OpenAI({ apiKey: fake.apiKey, baseURL, maxRetries: 0, fetch });
    expect(await streamedText(client)).toBe(DEFAULT_CHUNKS.join(''));
    expect(fake.requests.at(-1)).toMatchObject({ completed: true, path: '/v1/chat/completions' });
  });

  it('refuses a server whose certificate it does not trust, before sending anything', async () => {
    const sent = fake.requests.length;
    const client = new OpenAI({
      apiKey: fake.apiKey,
      baseURL,
      maxRetries: 0,
      fetch: nodeHttpFetch(),
    });
    await expect(streamedText(client)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(fake.requests.length).toBe(sent);
  });
});

describe('The OpenAI provider: the SDK builds the request, our fetch sends it', () => {
  let fake: Fake;
  const request = {
    upstreamModel: 'gpt-up',
    messages: [
      { role: 'system' as const, content: 'Be brief' },
      { role: 'user' as const, content: 'Say hello' },
    ],
    maxTokens: 64,
    temperature: 0.5,
  };

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  async function streamed(provider: OpenAiProvider): Promise<ProviderEvent[]> {
    const events: ProviderEvent[] = [];
    for await (const event of provider.stream(request, new AbortController().signal)) {
      events.push(event);
    }
    return events;
  }

  it("sends the same request as the SDK's create(), headers and body", async () => {
    const provider = new OpenAiProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
    // The first request builds the SDK's template, the second reuses it.
    for (let i = 0; i < 2; i++) {
      const events = await streamed(provider);
      expect(events.filter((e) => e.type === 'delta').map((e) => e.text)).toEqual(DEFAULT_CHUNKS);
      expect(events).toContainEqual({ type: 'usage', inputTokens: 12, outputTokens: 4 });
    }

    const client = new OpenAI({
      apiKey: fake.apiKey,
      baseURL: fake.baseUrl,
      maxRetries: 0,
      fetch: nodeHttpFetch(),
    });
    await client.chat.completions
      .create({
        model: 'gpt-up',
        messages: request.messages,
        max_completion_tokens: 64,
        temperature: 0.5,
        stream: true,
        stream_options: { include_usage: true },
      })
      .asResponse()
      .then((response) => response.text());

    const [first, second, sdks] = fake.requests;
    for (const ours of [first, second]) {
      expect(ours.path).toBe('/v1/chat/completions');
      expect(ours.path).toBe(sdks.path);
      expect(ours.body).toEqual(sdks.body);
      expect(ours.headers).toEqual(sdks.headers);
      expect(ours.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    }
  });

  it.each([
    [401, OpenAI.AuthenticationError, 'auth'],
    [429, OpenAI.RateLimitError, 'rate_limited'],
    [503, OpenAI.InternalServerError, 'unavailable'],
  ] as const)(
    'raises HTTP %d as the SDK does (%p), classified %s',
    async (status, sdkClass, failure) => {
      const fetch = nodeHttpFetch();
      const client = new OpenAI({
        apiKey: fake.apiKey,
        baseURL: fake.baseUrl,
        maxRetries: 0,
        fetch,
      });
      fake.failNext(status);
      const post = new SdkJsonPost(client, OpenAI.APIError, fetch, '/chat/completions');
      const raised = await post
        .send({ model: 'gpt-up' }, new AbortController().signal)
        .catch((e: unknown) => e);
      expect(raised).toBeInstanceOf(sdkClass);
      expect(raised).toMatchObject({ status });

      const provider = new OpenAiProvider({ apiKey: fake.apiKey, baseUrl: fake.baseUrl });
      fake.failNext(status);
      const error = await streamed(provider).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ failure, status, provider: 'openai' });
    },
  );
});
