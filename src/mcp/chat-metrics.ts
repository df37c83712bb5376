import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import type { ProviderName } from './chat.types';

/**
 * The chat gateway's Prometheus metrics: chats by outcome, tokens and credits charged, streams
 * open now, and per provider the time to first token, failures and fallbacks. Labels are model
 * ids, provider names and error codes only: never a user, a request or any content.
 */
@Injectable()
export class ChatMetrics {
  private readonly chats: Counter<'model' | 'outcome'>;
  private readonly tokens: Counter<'model' | 'direction'>;
  private readonly credits: Counter<'model'>;
  private readonly firstToken: Histogram<'provider'>;
  private readonly failures: Counter<'provider' | 'failure'>;
  private readonly fallbacks: Counter<'from' | 'to'>;
  private openStreams: () => number = () => 0;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.chats = new Counter({
      name: 'mcp_chats_total',
      help: 'Chats that ended, by requested model and outcome (complete, cancelled, or the error code; refused chats by their refusal)',
      labelNames: ['model', 'outcome'],
      registers,
    });
    this.tokens = new Counter({
      name: 'mcp_chat_tokens_total',
      help: 'Tokens charged for chats, by answering model and direction (input, output)',
      labelNames: ['model', 'direction'],
      registers,
    });
    this.credits = new Counter({
      name: 'mcp_chat_credits_total',
      help: 'Credits charged for chats, by answering model',
      labelNames: ['model'],
      registers,
    });
    this.firstToken = new Histogram({
      name: 'mcp_upstream_first_token_seconds',
      help: 'From sending a request upstream to its first text chunk, by provider',
      labelNames: ['provider'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
      registers,
    });
    this.failures = new Counter({
      name: 'mcp_upstream_failures_total',
      help: 'Failed upstream attempts, by provider and failure (auth, rate_limited, unavailable, bad_request, timeout)',
      labelNames: ['provider', 'failure'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'mcp_upstream_fallbacks_total',
      help: 'Chats sent to the fallback model after the primary failed before its first chunk',
      labelNames: ['from', 'to'],
      registers,
    });
    const streams = () => this.openStreams();
    new Gauge({
      name: 'mcp_streams_open',
      help: 'Chats running on this instance now',
      registers,
      collect() {
        this.set(streams());
      },
    });
  }

  /** Where the open-streams gauge reads its value (the chat service's running chats). */
  countOpenStreamsWith(count: () => number): void {
    this.openStreams = count;
  }

  ended(
    model: string,
    /** `complete`, `cancelled`, or the error code. */
    outcome: string,
    charged?: { model: string; inputTokens: number; outputTokens: number; cost: string },
  ): void {
    this.chats.inc({ model, outcome });
    if (!charged) return;
    this.tokens.inc({ model: charged.model, direction: 'input' }, charged.inputTokens);
    this.tokens.inc({ model: charged.model, direction: 'output' }, charged.outputTokens);
    this.credits.inc({ model: charged.model }, Number(charged.cost));
  }

  firstChunk(provider: ProviderName, seconds: number): void {
    this.firstToken.observe({ provider }, seconds);
  }

  upstreamFailed(provider: ProviderName, failure: string): void {
    this.failures.inc({ provider, failure });
  }

  fellBack(from: string, to: string): void {
    this.fallbacks.inc({ from, to });
  }
}
