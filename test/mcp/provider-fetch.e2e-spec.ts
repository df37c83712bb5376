import OpenAI from 'openai';
import { AddressInfo, connect, Socket } from 'node:net';
import { createServer } from 'node:tls';
import { nodeHttpFetch } from '../../src/mcp/providers/node-http-fetch';
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
