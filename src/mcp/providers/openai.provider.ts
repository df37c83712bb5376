import OpenAI from 'openai';
import type { ChatProvider, ProviderEvent, ProviderRequest } from './chat-provider';
import { classifySdkError } from './chat-provider';
import { nodeHttpFetch } from './node-http-fetch';

/**
 * OpenAI chat completions with `stream: true` and `stream_options.include_usage`, so the last
 * chunk (empty `choices`) carries the usage. Retries are ours (only before the first chunk), so
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
      const stream = await this.client.chat.completions.create(
        {
          model: request.upstreamModel,
          messages: request.messages,
          max_completion_tokens: request.maxTokens,
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal },
      );
      // The SDK misses an abort that comes while it prepares the request: end it here.
      if (signal.aborted) return stream.controller.abort();
      for await (const chunk of stream) {
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
