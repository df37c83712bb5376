import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite' with { 'resolution-mode': 'import' };
import type { ChatMessage, ProviderName } from './chat.types';

// js-tiktoken ships CommonJS builds but ESM-only typings, so the values are required by hand.
/* eslint-disable @typescript-eslint/no-require-imports */
const tiktoken = {
  Tiktoken: (require('js-tiktoken/lite') as { Tiktoken: new (ranks: TiktokenBPE) => Tiktoken })
    .Tiktoken,
  o200k: require('js-tiktoken/ranks/o200k_base') as TiktokenBPE,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** OpenAI's documented chat framing: ~3 tokens per message plus 3 to prime the reply. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;
/**
 * Claude's tokenizer is not public; it yields somewhat more tokens than o200k for English and
 * code. The estimate scales the o200k count so a hold covers the real usage in practice.
 */
const ANTHROPIC_FACTOR_PERCENT = 125n;

/**
 * Input token estimates for the credit hold taken before a chat (js-tiktoken, o200k_base, the
 * encoding of current OpenAI chat models), and an own count of delivered output when a provider
 * reports no usage (a cancelled or failed stream).
 */
@Injectable()
export class TokenEstimator implements OnModuleInit {
  private encoder?: Tiktoken;

  /** Loads the ranks (~0.7 s) at start-up rather than in the first chat. */
  onModuleInit(): void {
    this.count('warm up');
  }

  private get tiktoken(): Tiktoken {
    this.encoder ??= new tiktoken.Tiktoken(tiktoken.o200k);
    return this.encoder;
  }

  /** Text as a user or model wrote it: `<|endoftext|>` and the like are plain text, not tokens. */
  count(text: string): number {
    return text ? this.tiktoken.encode(text, [], []).length : 0;
  }

  /** Estimated input tokens of a conversation for this provider. */
  input(provider: ProviderName, messages: ChatMessage[]): number {
    let tokens = REPLY_PRIMING;
    for (const message of messages) tokens += TOKENS_PER_MESSAGE + this.count(message.content) + 1;
    if (provider === 'anthropic') {
      return Number((BigInt(tokens) * ANTHROPIC_FACTOR_PERCENT + 99n) / 100n);
    }
    return tokens;
  }

  /** Output tokens of the text delivered so far, by our own count. */
  output(delivered: string): number {
    return this.count(delivered);
  }
}
