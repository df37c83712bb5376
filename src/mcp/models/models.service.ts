import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { EntityManager } from 'typeorm';
import { closeRedisClient, RedisConnection } from '../../cache/redis-connection';
import { auditedBy, Operator } from '../../auth/admin-access';
import { AuditLogService } from '../../common/audit/audit-log.service';
import { Clock } from '../../common/time/clock';
import { DomainError } from '../../common/errors/domain-error';
import { ChatError } from '../chat.types';
import { ChatModel } from '../entities/chat-model.entity';
import { ProviderRegistry } from '../providers/provider-registry';
import { UpstreamTarget } from '../upstream-runner';
import { PatchModelDto, PutModelDto } from './admin-models.dto';
import { ModelFields, ModelsRepository } from './models.repository';

export interface AdminModelView extends ModelView {
  upstream_model: string;
  enabled: boolean;
  updated_at: string;
}

export class ModelNotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(id: string) {
    super(`No model "${id}"`, { model: id });
  }
}

export class InvalidFallbackError extends DomainError {
  readonly kind = 'unprocessable';
}

export interface ModelView {
  id: string;
  name: string;
  provider: string;
  input_price_per_1k: string;
  output_price_per_1k: string;
  max_output_tokens: number;
  fallback: string | null;
  /** False when the provider's API key is not configured: chats with it fail (or fall back). */
  available: boolean;
}

/** A model resolved for one chat: the primary and, when enabled, its fallback. */
export interface ResolvedModel {
  primary: ChatModel;
  fallback: ChatModel | null;
}

/**
 * How long a resolved model is reused before a chat waits for PostgreSQL to read it again, while
 * this instance does not hear the announcements (Redis away or not configured): a change on any
 * instance is announced over Redis pub/sub and applies everywhere at once; this bounds what a
 * missed announcement can delay. While they are heard, a chat never waits for the read: an older
 * model is used once more and read again in the background (RESOLVE_REFRESH_MS).
 */
const RESOLVE_CACHE_MS = 5_000;
/** Past this age a reused model is refreshed in the background, so busy chats never wait. */
const RESOLVE_REFRESH_MS = RESOLVE_CACHE_MS / 2;

/** The model catalogue: what users may ask for, at which prices, and whether it can answer. */
@Injectable()
export class ModelsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelsService.name);
  private subscriber?: Redis;
  /** The change announcements are heard: subscribed, and the subscriber connected since. */
  private listening = false;
  private readonly resolved = new Map<string, { model: ResolvedModel; loadedAt: number }>();
  private readonly loading = new Map<string, Promise<ResolvedModel>>();
  private generation = 0;

  constructor(
    private readonly models: ModelsRepository,
    private readonly providers: ProviderRegistry,
    private readonly audit: AuditLogService,
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {}

  /** Listens for changes made on other instances (and, once reconnected, forgets what it missed). */
  onModuleInit(): void {
    // Subscribed by the 'ready' handler below, which also knows when it is listening again.
    const subscriber = this.redis.duplicateForPubSub({ autoResubscribe: false });
    if (!subscriber) return;
    this.subscriber = subscriber;
    subscriber.on('close', () => (this.listening = false));
    subscriber.on('message', () => this.forget());
    const listen = () =>
      subscriber.subscribe(this.channel).then(
        () => (this.listening = true),
        (error: Error) => {
          this.logger.warn(
            `Model changes from other instances wait for the cache: ${error.message}`,
          );
        },
      );
    // What was announced while the connection was down is lost: forget everything on its return,
    // and count on announcements again once the subscription is confirmed.
    // (The first subscription waits in the offline queue for the first connection.)
    subscriber.on('ready', () => {
      this.forget();
      void listen();
    });
    void listen();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.subscriber) await closeRedisClient(this.subscriber);
  }

  async list(): Promise<ModelView[]> {
    return (await this.models.listEnabled()).map((model) => this.view(model));
  }

  async listAll(): Promise<AdminModelView[]> {
    return (await this.models.listAll()).map((model) => this.adminView(model));
  }

  /** Creates or replaces a model; one audit row (`model.put`) with before and after. */
  put(admin: Operator, id: string, dto: PutModelDto): Promise<AdminModelView> {
    return this.change(admin, id, 'model.put', () => ({
      displayName: dto.name,
      provider: dto.provider,
      upstreamModel: dto.upstream_model,
      inputPricePer1k: dto.input_price_per_1k,
      outputPricePer1k: dto.output_price_per_1k,
      maxOutputTokens: dto.max_output_tokens,
      fallbackModelId: dto.fallback ?? null,
      enabled: dto.enabled,
    }));
  }

  /** Changes some fields of an existing model (404 otherwise); audited as `model.patch`. */
  patch(admin: Operator, id: string, dto: PatchModelDto): Promise<AdminModelView> {
    return this.change(admin, id, 'model.patch', (current) => {
      if (!current) throw new ModelNotFoundError(id);
      return {
        displayName: dto.name ?? current.displayName,
        provider: dto.provider ?? current.provider,
        upstreamModel: dto.upstream_model ?? current.upstreamModel,
        inputPricePer1k: dto.input_price_per_1k ?? current.inputPricePer1k,
        outputPricePer1k: dto.output_price_per_1k ?? current.outputPricePer1k,
        maxOutputTokens: dto.max_output_tokens ?? current.maxOutputTokens,
        fallbackModelId: dto.fallback !== undefined ? dto.fallback : current.fallbackModelId,
        enabled: dto.enabled ?? current.enabled,
      };
    });
  }

  private async change(
    admin: Operator,
    id: string,
    action: string,
    build: (current: ChatModel | null) => ModelFields,
  ): Promise<AdminModelView> {
    if (!/^[A-Za-z0-9._:/-]{1,64}$/.test(id)) {
      throw new InvalidFallbackError('A model id is 1–64 letters, digits or ._:/-');
    }
    const saved = await this.models.transaction(async (tx) => {
      const current = await this.models.lock(tx, id);
      const fields = build(current);
      await this.checkFallback(tx, id, fields.fallbackModelId);
      const after = await this.models.save(tx, id, fields);
      await this.audit.record(tx, {
        ...auditedBy(admin),
        action,
        target: { type: 'model', id },
        before: current ? { ...this.adminView(current) } : null,
        after: { ...this.adminView(after) },
      });
      return after;
    });
    // This instance at once (a read still under way is not kept); others within RESOLVE_CACHE_MS.
    this.forget();
    // Every instance (this one too) forgets it; if Redis is away, the others within RESOLVE_CACHE_MS.
    await this.redis.run((c) => c.publish(this.channel, id)).catch(() => undefined);
    return this.adminView(saved);
  }

  private hearsAnnouncements(): boolean {
    return this.listening && this.subscriber?.status === 'ready';
  }

  private forget(): void {
    this.resolved.clear();
    this.loading.clear();
    this.generation++;
  }

  private get channel(): string {
    return `${this.redis.keyPrefix}models:changed`;
  }

  private async checkFallback(tx: EntityManager, id: string, fallback: string | null) {
    if (fallback === null) return;
    if (fallback === id) throw new InvalidFallbackError('A model cannot be its own fallback');
    if (!(await this.models.exists(tx, fallback))) {
      throw new InvalidFallbackError(`Unknown fallback model "${fallback}"`);
    }
  }

  private view(model: ChatModel): ModelView {
    return {
      id: model.id,
      name: model.displayName,
      provider: model.provider,
      input_price_per_1k: trimDecimal(model.inputPricePer1k),
      output_price_per_1k: trimDecimal(model.outputPricePer1k),
      max_output_tokens: model.maxOutputTokens,
      fallback: model.fallbackModelId,
      available: this.providers.isConfigured(model.provider),
    };
  }

  private adminView(model: ChatModel): AdminModelView {
    return {
      ...this.view(model),
      upstream_model: model.upstreamModel,
      enabled: model.enabled,
      updated_at: model.updatedAt.toISOString(),
    };
  }

  /**
   * The enabled model (and enabled fallback) for a chat, or `MODEL_NOT_FOUND`. Reused for
   * RESOLVE_CACHE_MS per instance, so a price change applies to chats started after that.
   */
  async resolve(id: string): Promise<ResolvedModel> {
    const cached = this.resolved.get(id);
    const age = cached ? this.clock.now().getTime() - cached.loadedAt : Infinity;
    if (age >= RESOLVE_CACHE_MS && !(cached && this.hearsAnnouncements())) return this.load(id);
    // Once this chat's start has gone out (its upstream request, limits and hold are sent).
    if (age >= RESOLVE_REFRESH_MS) {
      setImmediate(() => void this.load(id).catch(() => undefined));
    }
    return cached!.model;
  }

  /** Reads the model from PostgreSQL (one query at a time per id) and keeps it. */
  private load(id: string): Promise<ResolvedModel> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.fetch(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private async fetch(id: string): Promise<ResolvedModel> {
    const loadedAt = this.clock.now().getTime();
    const generation = this.generation;
    const primary = await this.models.findEnabled(id);
    if (!primary) {
      if (generation === this.generation) this.resolved.delete(id);
      throw new ChatError('MODEL_NOT_FOUND', `No enabled model "${id}"`);
    }
    const fallback = primary.fallback?.enabled ? primary.fallback : null;
    // Prices and switches change rarely; a few seconds of reuse spares a query per chat.
    const model = { primary, fallback };
    if (generation !== this.generation) return model;
    if (this.resolved.size > 1000) this.resolved.clear();
    this.resolved.set(id, { model, loadedAt });
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
