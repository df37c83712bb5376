import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ChatProvider, ProviderEvent, ProviderRequest } from './chat-provider';
import { classifySdkError, UpstreamError } from './chat-provider';
import { nodeHttpFetch } from './node-http-fetch';
import { streamedJson } from './sse';

/**
 * OpenAI chat completions with `stream: true` and `stream_options.include_usage`, so the last
 * chunk (empty `choices`) carries the usage. The SDK sends the request and raises its HTTP errors;
 * the streamed body is read by `streamedJson`. Retries are ours (only before the first chunk), so
 * the SDK's own are off.
 */
export class OpenAiProvider implements ChatProvider {
  readonly name = 'openai' as const;
  private readonly client: OpenAI | null;

  constructor(options: { apiKey?: string; baseUrl: string }) {
    this.client = options.apiKey
      ? new OpenAI({
          apiKey: options.apiKey,
          baseURL: options.baseUrl,
          maxRetries: 0,
          fetch: nodeHttpFetch(),
        })
      : null;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    if (!this.client) throw new Error('OpenAI is not configured');
    try {
      const response = await this.client.chat.completions
        .create(
          {
            model: request.upstreamModel,
            messages: request.messages,
            max_completion_tokens: request.maxTokens,
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal },
        )
        .asResponse();
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
