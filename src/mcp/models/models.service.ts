import { Injectable } from '@nestjs/common';
import { ChatError } from '../chat.types';
import { ChatModel } from '../entities/chat-model.entity';
import { ProviderRegistry } from '../providers/provider-registry';
import { UpstreamTarget } from '../upstream-runner';
import { ModelsRepository } from './models.repository';

export interface ModelView {
  id: string;
  name: string;
  provider: string;
  inputPricePer1k: string;
  outputPricePer1k: string;
  maxOutputTokens: number;
  fallback: string | null;
  /** False when the provider's API key is not configured: chats with it fail (or fall back). */
  available: boolean;
}

/** A model resolved for one chat: the primary and, when enabled, its fallback. */
export interface ResolvedModel {
  primary: ChatModel;
  fallback: ChatModel | null;
}

/** The model catalogue: what users may ask for, at which prices, and whether it can answer. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly models: ModelsRepository,
    private readonly providers: ProviderRegistry,
  ) {}

  async list(): Promise<ModelView[]> {
    return (await this.models.listEnabled()).map((model) => ({
      id: model.id,
      name: model.displayName,
      provider: model.provider,
      inputPricePer1k: trimDecimal(model.inputPricePer1k),
      outputPricePer1k: trimDecimal(model.outputPricePer1k),
      maxOutputTokens: model.maxOutputTokens,
      fallback: model.fallbackModelId,
      available: this.providers.isConfigured(model.provider),
    }));
  }

  /** The enabled model (and enabled fallback) for a chat, or `MODEL_NOT_FOUND`. */
  async resolve(id: string): Promise<ResolvedModel> {
    const primary = await this.models.findEnabled(id);
    if (!primary) throw new ChatError('MODEL_NOT_FOUND', `No enabled model "${id}"`);
    const fallback = primary.fallback?.enabled ? primary.fallback : null;
    return { primary, fallback };
  }
}

export function targetOf(model: ChatModel): UpstreamTarget {
  return { modelId: model.id, provider: model.provider, upstreamModel: model.upstreamModel };
}

/** NUMERIC(14,6) comes back as "0.150000"; show "0.15". */
function trimDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
