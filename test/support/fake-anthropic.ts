import { randomBytes } from 'node:crypto';
import { FakeLlmServer, sse, WireFormat } from './fake-llm-server';

const ANTHROPIC_ERRORS: Record<number, { type: string; message: string }> = {
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your rate limit.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  503: { type: 'overloaded_error', message: 'Overloaded' },
};

/**
 * Anthropic messages streaming (`POST /v1/messages`, `stream: true`): `event:` + `data:` pairs
 * message_start (input usage), content_block_start, ping, content_block_delta (text_delta) …,
 * content_block_stop, message_delta (stop_reason + output usage), message_stop.
 */
export const ANTHROPIC_WIRE: WireFormat = {
  path: '/v1/messages',
  maxTokens: (body) => body.max_tokens as number | undefined,
  start(res, body, plan) {
    res.setHeader('request-id', `req_${randomBytes(12).toString('hex')}`);
    sse(
      res,
      {
        type: 'message_start',
        message: {
          id: `msg_${randomBytes(12).toString('hex')}`,
          type: 'message',
          role: 'assistant',
          content: [],
          model: body.model,
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: plan.inputTokens,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      },
      'message_start',
    );
    sse(
      res,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    );
    sse(res, { type: 'ping' }, 'ping');
  },
  chunk(res, _body, text) {
    sse(
      res,
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      'content_block_delta',
    );
  },
  finish(res, _body, plan) {
    sse(res, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
    sse(
      res,
      {
        type: 'message_delta',
        delta: { stop_reason: plan.truncated ? 'max_tokens' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: plan.outputTokens },
      },
      'message_delta',
    );
    sse(res, { type: 'message_stop' }, 'message_stop');
  },
  error: (status) => ({ type: 'error', error: ANTHROPIC_ERRORS[status] }),
  streamError: (res) => sse(res, { type: 'error', error: ANTHROPIC_ERRORS[503] }, 'error'),
};

/** A fake Anthropic; the SDK's base URL is the server root. */
export async function startFakeAnthropic(): Promise<FakeLlmServer & { baseUrl: string }> {
  const server = await FakeLlmServer.start(ANTHROPIC_WIRE);
  return Object.assign(server, { baseUrl: server.root });
}
