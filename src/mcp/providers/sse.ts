import { UpstreamError } from './chat-provider';
import type { ProviderName } from '../chat.types';

const LF = 10;
const CR = 13;
const SPACE = 32;

/**
 * The `data` of each server-sent event in a byte stream (the WHATWG event-stream format the
 * provider APIs stream in): lines end in LF, CRLF or CR; an empty line ends an event; its `data`
 * lines are joined with LF. The other fields (`event`, `id`, `retry`) and comments are skipped:
 * both providers repeat the event's type inside its JSON. An event cut off by the end of the
 * stream is dropped, as the format says.
 */
export class SseDataDecoder {
  private readonly utf8 = new TextDecoder();
  /** The text after the last complete line (a character split between reads waits in `utf8`). */
  private pending = '';
  private data: string[] = [];

  /** The events this read completed, in order. */
  push(bytes: Uint8Array | string): string[] {
    const text =
      this.pending +
      (typeof bytes === 'string' ? bytes : this.utf8.decode(bytes, { stream: true }));
    const events: string[] = [];
    let lineStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      // A CR at the end of a read may be the first half of a CRLF: wait for the next read.
      if (c === CR && i + 1 === text.length) break;
      this.line(text.slice(lineStart, i), events);
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      lineStart = i + 1;
    }
    this.pending = text.slice(lineStart);
    return events;
  }

  private line(line: string, events: string[]): void {
    if (line === '') {
      if (this.data.length > 0) events.push(this.data.join('\n'));
      this.data = [];
    } else if (line.startsWith('data:')) {
      this.data.push(line.slice(line.charCodeAt(5) === SPACE ? 6 : 5));
    } else if (line === 'data') {
      this.data.push('');
    }
  }
}

/**
 * The JSON of each event of a streamed provider response, read straight from the body the SDK
 * returned (`.asResponse()`): the SDKs' own stream readers stack four async generators per event
 * and copy the buffered bytes on every read, which cost a chat ~150 µs of the hub's one thread
 * (BENCHMARKS.md, issue 15). OpenAI's `data: [DONE]` ends the events; the rest of the body is
 * still read, so its keep-alive connection is reused. An abort of `signal` ends the iteration
 * (the SDK aborts the request with it).
 */
export async function* streamedJson(
  provider: ProviderName,
  body: AsyncIterable<Uint8Array | string> | null,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  if (!body) throw new UpstreamError('unavailable', provider, undefined, 'response without a body');
  const decoder = new SseDataDecoder();
  let done = false;
  for await (const bytes of body) {
    if (signal.aborted) return;
    for (const data of decoder.push(bytes)) {
      if (done) continue;
      if (data === '[DONE]') done = true;
      else yield JSON.parse(data) as unknown;
    }
  }
}
