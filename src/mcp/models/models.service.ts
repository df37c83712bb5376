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
/** How long a resolved model is reused before PostgreSQL is asked again. */
const RESOLVE_CACHE_MS = 5_000;

@Injectable()
export class ModelsService {
  private readonly resolved = new Map<string, { model: ResolvedModel; until: number }>();

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

  /**
   * The enabled model (and enabled fallback) for a chat, or `MODEL_NOT_FOUND`. Reused for
   * RESOLVE_CACHE_MS per instance, so a price change applies to chats started after that.
   */
  async resolve(id: string): Promise<ResolvedModel> {
    const cached = this.resolved.get(id);
    if (cached && cached.until > Date.now()) return cached.model;
    const primary = await this.models.findEnabled(id);
    if (!primary) throw new ChatError('MODEL_NOT_FOUND', `No enabled model "${id}"`);
    const fallback = primary.fallback?.enabled ? primary.fallback : null;
    // Prices and switches change rarely; a few seconds of reuse spares a query per chat.
    const model = { primary, fallback };
    if (this.resolved.size > 1000) this.resolved.clear();
    this.resolved.set(id, { model, until: Date.now() + RESOLVE_CACHE_MS });
    return model;
  }
}

export function targetOf(model: ChatModel): UpstreamTarget {
  return { modelId: model.id, provider: model.provider, upstreamModel: model.upstreamModel };
}

/** NUMERIC(14,6) comes back as "0.150000"; show "0.15". */
function trimDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}
