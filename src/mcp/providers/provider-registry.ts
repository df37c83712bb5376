import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { ProviderName } from '../chat.types';
import { AnthropicProvider } from './anthropic.provider';
import type { ChatProvider } from './chat-provider';
import { OpenAiProvider } from './openai.provider';

/** The variable that enables each provider, for messages that tell the operator what to set. */
export const PROVIDER_KEY_VARIABLE: Record<ProviderName, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
};

/** One SDK client per provider, built once from the configuration. */
@Injectable()
export class ProviderRegistry {
  private readonly providers: Record<ProviderName, ChatProvider>;

  constructor(config: AppConfig) {
    this.providers = {
      openai: new OpenAiProvider(config.mcp.providers.openai),
      anthropic: new AnthropicProvider(config.mcp.providers.anthropic),
    };
  }

  get(name: ProviderName): ChatProvider {
    return this.providers[name];
  }

  isConfigured(name: ProviderName): boolean {
    return this.providers[name].configured;
  }

  get anyConfigured(): boolean {
    return Object.values(this.providers).some((p) => p.configured);
  }
}
