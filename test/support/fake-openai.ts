import { randomBytes } from 'node:crypto';
import { FakeLlmServer, sse, WireFormat } from './fake-llm-server';

const OPENAI_ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  401: {
    message:
      'Incorrect API key provided. You can find your API key at https://platform.openai.com.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  429: {
    message: 'Rate limit reached for requests. Please try again in 20ms.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    code: null,
  },
  503: { message: 'The engine is currently overloaded.', type: 'server_error', code: null },
};

/**
 * OpenAI chat completions streaming (`POST /v1/chat/completions`, `stream: true`): `data:` lines of
 * `chat.completion.chunk` objects, a final chunk with `finish_reason`, the usage chunk (empty
 * `choices`) when `stream_options.include_usage` is set, then `data: [DONE]`.
 */
export const OPENAI_WIRE: WireFormat = {
  path: '/v1/chat/completions',
  maxTokens: (body) =>
    (body.max_completion_tokens as number | undefined) ?? (body.max_tokens as number | undefined),
  start(res, body) {
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    res.setHeader('x-request-id', id);
    (res as unknown as { chatId: string }).chatId = id;
    sse(res, chunk(res, body, { role: 'assistant', content: '', refusal: null }, null));
  },
  chunk(res, body, text) {
    sse(res, chunk(res, body, { content: text }, null));
  },
  finish(res, body, plan, behaviour) {
    sse(res, chunk(res, body, {}, plan.truncated ? 'length' : 'stop'));
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage && !behaviour.omitUsage) {
      sse(res, {
        ...envelope(res, body),
        choices: [],
        usage: {
          prompt_tokens: plan.inputTokens,
          completion_tokens: plan.outputTokens,
          total_tokens: plan.inputTokens + plan.outputTokens,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
        },
      });
    }
    res.write('data: [DONE]\n\n');
  },
  error: (status) => ({ error: { ...OPENAI_ERRORS[status], param: null } }),
  streamError: (res) => sse(res, { error: { ...OPENAI_ERRORS[503], param: null } }),
};

function envelope(res: object, body: Record<string, unknown>) {
  return {
    id: (res as { chatId?: string }).chatId,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

function chunk(
  res: object,
  body: Record<string, unknown>,
  delta: Record<string, unknown>,
  finishReason: string | null,
) {
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  return {
    ...envelope(res, body),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(options?.include_usage ? { usage: null } : {}),
  };
}

/** A fake OpenAI; the SDK's base URL is `${root}/v1`. */
export async function startFakeOpenAI(): Promise<FakeLlmServer & { baseUrl: string }> {
  const server = await FakeLlmServer.start(OPENAI_WIRE);
  return Object.assign(server, { baseUrl: `${server.root}/v1` });
}
