import { setImmediate as nextTurn } from 'node:timers/promises';
import { UpstreamError } from './chat-provider';
import { SseDataDecoder, streamedJson } from './sse';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every event of `reads`, fed to one decoder in that order. */
function decode(reads: (string | Uint8Array)[]): string[] {
  const decoder = new SseDataDecoder();
  return reads.flatMap((read) => decoder.push(read));
}

/** A response body handing out one read per turn of the event loop, as a socket does. */
function responseBody(reads: string[], beforeRead?: (index: number) => void) {
  const state = { readToTheEnd: false, released: false };
  async function* iterate() {
    try {
      for (const [index, read] of reads.entries()) {
        await nextTurn();
        beforeRead?.(index);
        yield read;
      }
      state.readToTheEnd = true;
    } finally {
      state.released = true;
    }
  }
  return { body: iterate(), state };
}

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe('SseDataDecoder', () => {
  it('yields the data of each event, whole, when a read holds several', () => {
    expect(decode(['data: {"a":1}\n\ndata: {"a":2}\n\n'])).toEqual(['{"a":1}', '{"a":2}']);
  });

  it('joins an event cut anywhere between reads, also inside a line ending', () => {
    const stream = 'event: ping\r\ndata: one\r\n\r\ndata: two\r\n\r\n';
    for (let cut = 1; cut < stream.length; cut++) {
      expect(decode([stream.slice(0, cut), stream.slice(cut)])).toEqual(['one', 'two']);
    }
  });

  it('accepts LF, CRLF and CR line endings', () => {
    expect(decode(['data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\n'])).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('joins the data lines of one event with LF and drops one space after the colon only', () => {
    expect(decode(['data:first\ndata:  second\ndata\n\n'])).toEqual(['first\n second\n']);
  });

  it('skips comments and the other fields, and empty lines between events', () => {
    expect(
      decode([': keep-alive\n\nid: 7\nretry: 10\nevent: message_stop\ndata: x\n\n\n']),
    ).toEqual(['x']);
  });

  it('decodes a UTF-8 character split between two reads', () => {
    const encoded = bytes('data: สวัสดี 👋\n\n');
    const results: string[] = [];
    for (let cut = 1; cut < encoded.length; cut++) {
      const [event] = decode([encoded.subarray(0, cut), encoded.subarray(cut)]);
      results.push(event);
    }
    expect(new Set(results)).toEqual(new Set(['สวัสดี 👋']));
  });

  it('holds back an event until its empty line (one cut off by the end is dropped)', () => {
    const decoder = new SseDataDecoder();
    expect(decoder.push('data: whole\n\ndata: cut')).toEqual(['whole']);
  });
});

describe('streamedJson', () => {
  const live = new AbortController().signal;

  it('parses each event and stops at [DONE], reading the rest of the body', async () => {
    const { body, state } = responseBody([
      'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n',
      'data: {"n":3}\n\n',
    ]);
    expect(await collect(streamedJson('openai', body, live))).toEqual([{ n: 1 }, { n: 2 }]);
    expect(state.readToTheEnd).toBe(true);
  });

  it('ends, and lets the body go, once the signal is aborted', async () => {
    const controller = new AbortController();
    const { body, state } = responseBody(
      ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: {"n":3}\n\n'],
      (index) => index === 1 && controller.abort(),
    );
    expect(await collect(streamedJson('openai', body, controller.signal))).toEqual([{ n: 1 }]);
    expect(state).toEqual({ readToTheEnd: false, released: true });
  });

  it('refuses a response without a body as an unavailable upstream', async () => {
    await expect(collect(streamedJson('anthropic', null, live))).rejects.toEqual(
      new UpstreamError('unavailable', 'anthropic', undefined, 'response without a body'),
    );
  });

  it('throws on data that is not JSON', async () => {
    const { body } = responseBody(['data: {oops\n\n']);
    await expect(collect(streamedJson('openai', body, live))).rejects.toThrow(SyntaxError);
  });
});
