import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { ChatModel } from '../entities/chat-model.entity';

/** Every SQL statement about the `models` table. */
@Injectable()
export class ModelsRepository {
  private readonly models: Repository<ChatModel>;

  constructor(dataSource: DataSource) {
    this.models = dataSource.getRepository(ChatModel);
  }

  listEnabled(): Promise<ChatModel[]> {
    return this.models.find({ where: { enabled: true }, order: { provider: 'ASC', id: 'ASC' } });
  }

  /** An enabled model with its fallback (which may itself be disabled). */
  findEnabled(id: string): Promise<ChatModel | null> {
    return this.models.findOne({ where: { id, enabled: true }, relations: { fallback: true } });
  }
}
