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

  /** An enabled model with its fallback (which may itself be disabled). */
  findEnabled(id: string): Promise<ChatModel | null> {
    return this.models.findOne({ where: { id, enabled: true }, relations: { fallback: true } });
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
