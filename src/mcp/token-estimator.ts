import { Injectable, OnModuleInit } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChatMessage, ProviderName } from './chat.types';

interface EncodingData {
  pat_str: string;
  bpe_ranks: string;
}

/** OpenAI's documented chat framing: ~3 tokens per message (+1 for the role) plus 3 to prime the reply. */
export const MESSAGE_FRAMING_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

/** Input tokens of messages with these content token counts, framing included. */
export function framed(contentTokens: number[]): number {
  return contentTokens.reduce(
    (sum, tokens) => sum + MESSAGE_FRAMING_TOKENS + tokens,
    REPLY_PRIMING_TOKENS,
  );
}
/**
 * Claude's tokenizer is not public; it yields somewhat more tokens than o200k for English and
 * code. The estimate scales the o200k count so a hold covers the real usage in practice.
 */
const ANTHROPIC_FACTOR_PERCENT = 125n;
/**
 * Text is counted in windows of about this many characters, cut at a pre-token boundary: a
 * window's work is bounded (a fraction of a millisecond, also for the worst shape, a run of CJK),
 * and between windows the event loop gets a turn. A cut at a pre-token boundary keeps the count
 * exact, so a window ends at the last boundary before the limit or, in a run without one (a long
 * JSON line), at the first boundary after it; only a run longer than MAX_WINDOW_CHARS without any
 * boundary is cut hard, which may count a token more per cut.
 */
const WINDOW_CHARS = 256;
const MAX_WINDOW_CHARS = 2 * WINDOW_CHARS;

/**
 * Token counts for credit holds and for charging delivered output when a provider reports no
 * usage: the o200k_base encoding of current OpenAI chat models (its vocabulary and pre-token
 * pattern as js-tiktoken ships them), counted by our own byte-pair merge. js-tiktoken's encoder
 * rescans the whole pre-token after every merge, quadratic in its length, so one long run of CJK
 * or of letters without spaces blocked the server for minutes (S-01); this merge takes the lowest
 * ranked pair from a heap, O(n log n), and the input is cut into bounded windows with a turn of the
 * event loop between them. `<|endoftext|>` and the like are plain text here, never special tokens.
 */
@Injectable()
export class TokenEstimator implements OnModuleInit {
  private encoding?: { ranks: Map<string, number>; pattern: RegExp };

  /** Loads the vocabulary (~0.5 s) at start-up rather than in the first chat. */
  onModuleInit(): void {
    this.countWindow('warm up');
  }

  /** Tokens of a text as a user or model wrote it. */
  async count(text: string): Promise<number> {
    let tokens = 0;
    let start = 0;
    while (start < text.length) {
      if (start > 0) await nextTurn();
      const end = windowEnd(text, start);
      tokens += this.countWindow(text.slice(start, end));
      start = end;
    }
    return tokens;
  }

  /** Input tokens of a conversation in o200k with OpenAI's chat framing; see `forProvider`. */
  async input(messages: ChatMessage[]): Promise<number> {
    return framed(await this.countEach(messages));
  }

  /** Each message's content tokens, in order. */
  async countEach(messages: ChatMessage[]): Promise<number[]> {
    const counts: number[] = [];
    for (const message of messages) counts.push(await this.count(message.content));
    return counts;
  }

  /** The inverse of `forProvider`: how many o200k tokens fit in this many of the provider's. */
  fromProvider(provider: ProviderName, tokens: number): number {
    if (provider === 'anthropic') return Number((BigInt(tokens) * 100n) / ANTHROPIC_FACTOR_PERCENT);
    return tokens;
  }

  /** An `input` count as an estimate for this provider. */
  forProvider(provider: ProviderName, tokens: number): number {
    if (provider === 'anthropic') {
      return Number((BigInt(tokens) * ANTHROPIC_FACTOR_PERCENT + 99n) / 100n);
    }
    return tokens;
  }

  /** Output tokens of the text delivered so far, by our own count. */
  output(delivered: string): Promise<number> {
    return this.count(delivered);
  }

  private countWindow(window: string): number {
    const { ranks, pattern } = this.load();
    let tokens = 0;
    // `exec` on the one pattern object, not `matchAll`: matchAll clones the RegExp on every call,
    // and once V8's compilation cache has aged out (major GCs while the server idles) the clone
    // compiles the large Unicode pattern again, ~5 ms in the path of the first chat after a pause.
    // No o200k pre-token is empty, so every match moves lastIndex on.
    pattern.lastIndex = 0;
    for (let match = pattern.exec(window); match !== null; match = pattern.exec(window)) {
      const bytes = Buffer.from(match[0], 'utf8').toString('latin1');
      tokens += ranks.has(bytes) ? 1 : mergedParts(bytes, ranks);
    }
    return tokens;
  }

  private load(): { ranks: Map<string, number>; pattern: RegExp } {
    if (!this.encoding) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const data = require('js-tiktoken/ranks/o200k_base') as EncodingData;
      this.encoding = {
        ranks: parseRanks(data.bpe_ranks),
        pattern: new RegExp(data.pat_str, 'gu'),
      };
    }
    return this.encoding;
  }
}

/** tiktoken's rank file: lines of `<name> <first rank> <base64 token> …`, ranks consecutive. */
function parseRanks(file: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of file.split('\n')) {
    const [, offset, ...tokens] = line.split(' ');
    if (offset === undefined) continue;
    const first = Number.parseInt(offset, 10);
    tokens.forEach((token, i) =>
      ranks.set(Buffer.from(token, 'base64').toString('latin1'), first + i),
    );
  }
  return ranks;
}

// Places no o200k pre-token spans: a non-space, then a space or tab; a line break, then a space,
// a tab, a letter or a digit.
const PRE_TOKEN_BOUNDARY = /\S[^\S\r\n]|[\r\n](?:[^\S\r\n]|[\p{L}\p{N}])/uy;

/** Where the window starting at `start` ends: at a pre-token boundary near the limit if any. */
function windowEnd(text: string, start: number): number {
  const limit = start + WINDOW_CHARS;
  if (limit >= text.length) return text.length;
  for (let i = limit; i > start; i--) if (isPreTokenBoundary(text, i)) return i;
  const hardLimit = Math.min(text.length, start + MAX_WINDOW_CHARS);
  for (let i = limit + 1; i < hardLimit; i++) if (isPreTokenBoundary(text, i)) return i;
  if (hardLimit === text.length) return hardLimit;
  // Never between the two halves of a surrogate pair.
  const code = text.charCodeAt(hardLimit - 1);
  return code >= 0xd800 && code <= 0xdbff ? hardLimit - 1 : hardLimit;
}

/** Whether an o200k pre-token ends just before `index`. */
function isPreTokenBoundary(text: string, index: number): boolean {
  PRE_TOKEN_BOUNDARY.lastIndex = index - 1;
  return PRE_TOKEN_BOUNDARY.test(text);
}

const POSITION_BITS = 2 ** 22;

/**
 * Byte-pair merge of one pre-token (bytes as a latin1 string) as tiktoken defines it: repeatedly
 * merge the adjacent pair of lowest rank, leftmost first, until no pair is in the vocabulary.
 * Returns the number of parts left, i.e. tokens. Parts are a linked list over byte offsets; the
 * candidate pairs sit in a binary min-heap keyed rank·2²² + left offset, and an entry whose pair
 * has changed since it was pushed is skipped when it comes up.
 */
function mergedParts(bytes: string, ranks: Map<string, number>): number {
  const n = bytes.length;
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  // The rank of the pair starting at each part (-1: none), kept current as parts merge.
  const pairRank = new Int32Array(n);
  const heap: number[] = [];
  const push = (left: number) => {
    const rank = next[left] < n ? ranks.get(bytes.slice(left, next[next[left]])) : undefined;
    pairRank[left] = rank ?? -1;
    if (rank !== undefined) heapPush(heap, rank * POSITION_BITS + left);
  };
  for (let i = 0; i < n - 1; i++) push(i);
  let parts = n;
  while (heap.length > 0) {
    const key = heapPop(heap);
    const left = key % POSITION_BITS;
    const rank = (key - left) / POSITION_BITS;
    // Stale: the part at `left` was merged away (prev is then -2) or its pair changed since.
    if (prev[left] === -2 || pairRank[left] !== rank) continue;
    const right = next[left];
    next[left] = next[right];
    prev[next[right]] = left;
    prev[right] = -2;
    parts--;
    if (prev[left] >= 0) push(prev[left]);
    push(left);
  }
  return parts;
}

function heapPush(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent] <= value) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const child = l + 1 < heap.length && heap[l + 1] < heap[l] ? l + 1 : l;
      if (heap[child] >= last) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }
  return top;
}
