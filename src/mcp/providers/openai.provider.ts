import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { ChatProvider, ProviderEvent, ProviderRequest } from './chat-provider';
import { classifySdkError, UpstreamError } from './chat-provider';
import { nodeHttpFetch } from './node-http-fetch';
import { SdkJsonPost } from './sdk-json-post';
import { streamedJson } from './sse';

/**
 * OpenAI chat completions with `stream: true` and `stream_options.include_usage`, so the last
 * chunk (empty `choices`) carries the usage. The request is the one the SDK's `create()` sends,
 * made from the SDK's own request builder (SdkJsonPost) and sent by our `fetch`; HTTP errors raise
 * the SDK's error classes; the streamed body is read by `streamedJson`. Retries are ours (only
 * before the first chunk), so the SDK's own are off. (Anthropic's `create()` does more per call:
 * model deprecation warnings, tracing, headers from the messages; it stays in use there.)
 */
export class OpenAiProvider implements ChatProvider {
  readonly name = 'openai' as const;
  private readonly completions: SdkJsonPost | null;

  constructor(options: { apiKey?: string; baseUrl: string }) {
    if (!options.apiKey) {
      this.completions = null;
      return;
    }
    const fetch = nodeHttpFetch();
    const client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: 0,
      fetch,
    });
    this.completions = new SdkJsonPost(client, OpenAI.APIError, fetch, '/chat/completions');
  }

  get configured(): boolean {
    return this.completions !== null;
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    if (!this.completions) throw new Error('OpenAI is not configured');
    try {
      const body: ChatCompletionCreateParamsStreaming = {
        model: request.upstreamModel,
        messages: request.messages,
        max_completion_tokens: request.maxTokens,
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        stream: true,
        stream_options: { include_usage: true },
      };
      const response = await this.completions.send(body, signal);
      for await (const data of streamedJson(this.name, response.body, signal)) {
        const chunk = data as ChatCompletionChunk & { error?: { message?: string } };
        // An error after the response began comes as a chunk of its own (the SDK throws it too).
        if (chunk.error) {
          throw new UpstreamError('unavailable', this.name, undefined, String(chunk.error.message));
        }
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) yield { type: 'delta', text };
        if (choice?.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
        if (chunk.usage) {
          yield {
            type: 'usage',
            inputTokens: chunk.usage.prompt_tokens,
            outputTokens: chunk.usage.completion_tokens,
          };
        }
      }
    } catch (error) {
      throw classifySdkError(error, this.name);
    }
  }
}
