import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { ProviderName } from '../chat.types';

/** A chat model users may ask for by `id`, its upstream name, prices and fallback. */
@Entity('models')
@Check('models_provider_check', `provider IN ('openai', 'anthropic')`)
@Check('models_input_price_check', `input_price_per_1k >= 0`)
@Check('models_output_price_check', `output_price_per_1k >= 0`)
@Check('models_max_output_check', `max_output_tokens > 0`)
@Check('models_fallback_check', `fallback_model_id IS NULL OR fallback_model_id <> id`)
export class ChatModel {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName!: string;

  @Column({ type: 'varchar', length: 16 })
  provider!: ProviderName;

  @Column({ name: 'upstream_model', type: 'varchar', length: 100 })
  upstreamModel!: string;

  /** Credits per 1,000 input tokens; a decimal string (pg returns NUMERIC as text). */
  @Column({ name: 'input_price_per_1k', type: 'numeric', precision: 14, scale: 6 })
  inputPricePer1k!: string;

  @Column({ name: 'output_price_per_1k', type: 'numeric', precision: 14, scale: 6 })
  outputPricePer1k!: string;

  @Column({ name: 'max_output_tokens', type: 'integer' })
  maxOutputTokens!: number;

  /** Tokens the model reads at most (prompt and answer); a conversation's history is trimmed to it. */
  @Column({ name: 'context_window', type: 'integer', default: 128_000 })
  contextWindow!: number;

  @Column({ name: 'fallback_model_id', type: 'varchar', length: 64, nullable: true })
  fallbackModelId!: string | null;

  @ManyToOne(() => ChatModel, {
    nullable: true,
    onDelete: 'SET NULL',
    createForeignKeyConstraints: true,
  })
  @JoinColumn({ name: 'fallback_model_id', foreignKeyConstraintName: 'models_fallback_fkey' })
  fallback?: ChatModel | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
