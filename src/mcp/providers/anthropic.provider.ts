import Anthropic from '@anthropic-ai/sdk';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { ChatProvider, ProviderEvent, ProviderRequest } from './chat-provider';
import { classifySdkError, UpstreamError } from './chat-provider';
import { nodeHttpFetch } from './node-http-fetch';
import { streamedJson } from './sse';

/** What Anthropic streams instead of the next event when the response fails midway. */
interface StreamErrorEvent {
  type: 'error';
  error: { type: string; message: string };
}

/**
 * Anthropic messages streaming: message_start (input usage), content_block_delta (text),
 * message_delta (stop reason, output usage), message_stop. System messages go to `system`. The
 * SDK sends the request and raises its HTTP errors; the streamed body is read by `streamedJson`.
 */
export class AnthropicProvider implements ChatProvider {
  readonly name = 'anthropic' as const;
  private readonly client: Anthropic | null;

  constructor(options: { apiKey?: string; baseUrl: string }) {
    this.client = options.apiKey
      ? new Anthropic({
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
    if (!this.client) throw new Error('Anthropic is not configured');
    const system = request.messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n');
    const messages = request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
    try {
      const response = await this.client.messages
        .create(
          {
            model: request.upstreamModel,
            max_tokens: request.maxTokens,
            messages,
            ...(system ? { system } : {}),
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            stream: true,
          },
          { signal },
        )
        .asResponse();
      for await (const data of streamedJson(this.name, response.body, signal)) {
        const event = data as RawMessageStreamEvent | StreamErrorEvent;
        switch (event.type) {
          case 'message_start':
            yield { type: 'usage', inputTokens: event.message.usage.input_tokens };
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) {
              yield { type: 'delta', text: event.delta.text };
            }
            break;
          case 'message_delta':
            yield { type: 'usage', outputTokens: event.usage.output_tokens };
            if (event.delta.stop_reason) yield { type: 'finish', reason: event.delta.stop_reason };
            break;
          case 'error':
            // E.g. overloaded_error after the response began (the SDK throws it too).
            throw new UpstreamError('unavailable', this.name, undefined, event.error.message);
          default:
            break;
        }
      }
    } catch (error) {
      throw classifySdkError(error, this.name);
    }
  }
}
