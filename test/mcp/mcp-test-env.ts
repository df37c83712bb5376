import { startFakeAnthropic } from '../support/fake-anthropic';
import { startFakeOpenAI } from '../support/fake-openai';
import { eventually } from '../support/eventually';
import { closeMcp, connectMcp, McpClient, urlOf } from '../support/mcp-client';
import { startTestApp, TestApp } from '../support/test-app';
import type { Clock } from '../../src/common/time/clock';

export type FakeProvider = Awaited<ReturnType<typeof startFakeOpenAI>>;

export interface Fakes {
  openai: FakeProvider;
  anthropic: FakeProvider;
  close(): Promise<void>;
  reset(): void;
}

export async function startFakes(): Promise<Fakes> {
  const [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  return {
    openai,
    anthropic,
    close: async () => {
      await Promise.all([openai.close(), anthropic.close()]);
    },
    reset: () => {
      openai.reset();
      anthropic.reset();
    },
  };
}

/** The environment of an app whose providers are the fakes, with quick timeouts and retries. */
export function fakeProviderEnv(fakes: Fakes): Record<string, string> {
  return {
    OPENAI_API_KEY: fakes.openai.apiKey,
    OPENAI_BASE_URL: fakes.openai.baseUrl,
    ANTHROPIC_API_KEY: fakes.anthropic.apiKey,
    ANTHROPIC_BASE_URL: fakes.anthropic.baseUrl,
    MCP_RETRY_BASE_DELAY: '10ms',
    MCP_FIRST_TOKEN_TIMEOUT: '2s',
    MCP_IDLE_TIMEOUT: '400ms',
    SIGNUP_BONUS_CREDITS: '0',
  };
}

/**
 * Test models with round prices (credits per 1,000 tokens): `t-gpt` 1 in / 2 out on OpenAI,
 * `t-claude` 0.5 / 1.5 on Anthropic, `t-gpt-fb` like t-gpt with t-claude as its fallback.
 */
export async function insertTestModels(t: TestApp): Promise<void> {
  await t.database.query(
    `INSERT INTO models (id, display_name, provider, upstream_model, input_price_per_1k, output_price_per_1k, max_output_tokens, fallback_model_id)
     VALUES ('t-claude', 'Test Claude', 'anthropic', 'claude-up', 0.5, 1.5, 4096, NULL),
            ('t-gpt', 'Test GPT', 'openai', 'gpt-up', 1, 2, 4096, NULL),
            ('t-gpt-fb', 'Test GPT with fallback', 'openai', 'gpt-up', 1, 2, 4096, 't-claude')`,
  );
}

/** Resolves once the fake has seen its first request aborted by the client. */
export function untilAborted(fake: FakeProvider): Promise<void> {
  return eventually(() =>
    fake.requests[0]?.aborted ? Promise.resolve() : Promise.reject(new Error('not aborted')),
  );
}

export interface ChatTestApp {
  fakes: Fakes;
  t: TestApp;
  url: string;
  /** Connects to /mcp; the socket is closed by `close()`. */
  connect(token: unknown): Promise<McpClient>;
  close(): Promise<void>;
}

/**
 * For a describe block: the fakes, an app using them (plus `env`, or what `env()` answers when
 * it needs the app's port first, as an OAuth issuer does) with the test models, and clean-up.
 * Call in beforeAll; fields are filled in once it resolves.
 */
export function useChatApp(
  env: Record<string, string> | (() => Promise<Record<string, string>>) = {},
  clock?: Clock,
): ChatTestApp {
  const sockets: McpClient[] = [];
  const ctx = {} as ChatTestApp;
  beforeAll(async () => {
    ctx.fakes = await startFakes();
    const extra = typeof env === 'function' ? await env() : env;
    ctx.t = await startTestApp({ env: { ...fakeProviderEnv(ctx.fakes), ...extra }, clock });
    ctx.url = urlOf(ctx.t.server);
    await insertTestModels(ctx.t);
  });
  afterAll(async () => {
    sockets.forEach(closeMcp);
    await ctx.t?.close();
    await ctx.fakes?.close();
  });
  beforeEach(() => ctx.fakes.reset());
  ctx.connect = async (token: unknown) => {
    const socket = await connectMcp(ctx.url, token);
    sockets.push(socket);
    return socket;
  };
  return ctx;
}
