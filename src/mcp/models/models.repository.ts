import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { ChatModel } from '../entities/chat-model.entity';

export type ModelFields = Pick<
  ChatModel,
  | 'displayName'
  | 'provider'
  | 'upstreamModel'
  | 'inputPricePer1k'
  | 'outputPricePer1k'
  | 'maxOutputTokens'
  | 'fallbackModelId'
  | 'enabled'
>;

/** The columns of `models` as ChatModel's properties (for plain statements). */
const MODEL_COLUMNS = [
  'id',
  'display_name AS "displayName"',
  'provider',
  'upstream_model AS "upstreamModel"',
  'input_price_per_1k AS "inputPricePer1k"',
  'output_price_per_1k AS "outputPricePer1k"',
  'max_output_tokens AS "maxOutputTokens"',
  'context_window AS "contextWindow"',
  'fallback_model_id AS "fallbackModelId"',
  'enabled',
  'created_at AS "createdAt"',
  'updated_at AS "updatedAt"',
]
  .map((column) => `m.${column}`)
  .join(', ');

/** Every SQL statement about the `models` table. */
@Injectable()
export class ModelsRepository {
  private readonly models: Repository<ChatModel>;

  constructor(private readonly dataSource: DataSource) {
    this.models = dataSource.getRepository(ChatModel);
  }

  listEnabled(): Promise<ChatModel[]> {
    return this.models.find({ where: { enabled: true }, order: { provider: 'ASC', id: 'ASC' } });
  }

  listAll(): Promise<ChatModel[]> {
    return this.models.find({ order: { provider: 'ASC', id: 'ASC' } });
  }

  /**
   * An enabled model with its fallback (which may itself be disabled). One plain statement: the
   * chat gateway re-reads its models beside chat starts, and TypeORM's `findOne` with a relation
   * spent ~0.5–0.8 ms of the event loop building two queries.
   */
  async findEnabled(id: string): Promise<ChatModel | null> {
    // The fallback's row comes only with the model's (its subquery needs the model enabled).
    const rows = await this.dataSource.query<ChatModel[]>(
      `SELECT ${MODEL_COLUMNS} FROM models m
        WHERE m.id = $1 AND m.enabled
           OR m.id = (SELECT fallback_model_id FROM models WHERE id = $1 AND enabled)
        ORDER BY m.id = $1 DESC`,
      [id],
    );
    const [primary, fallback] = rows.map((row) => Object.assign(new ChatModel(), row));
    if (!primary) return null;
    primary.fallback = fallback ?? null;
    return primary;
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  lock(tx: EntityManager, id: string): Promise<ChatModel | null> {
    return tx
      .getRepository(ChatModel)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  exists(tx: EntityManager, id: string): Promise<boolean> {
    return tx.getRepository(ChatModel).exists({ where: { id } });
  }

  async save(tx: EntityManager, id: string, fields: ModelFields): Promise<ChatModel> {
    await tx.getRepository(ChatModel).upsert({ id, ...fields }, ['id']);
    return (await tx.getRepository(ChatModel).findOneBy({ id }))!;
  }
}
