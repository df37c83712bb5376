import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../../auth/entities/user.entity';

export const INTEGRATION_SCOPES = [
  'credits:check',
  'credits:deduct',
  'credits:refund',
  'sessions:claim',
] as const;
export type IntegrationScope = (typeof INTEGRATION_SCOPES)[number];

/**
 * A key an integration (e.g. the Sora2 backend) sends as `X-API-Key`. Only its SHA-256 is
 * stored; `prefix` is the first characters, for recognising it in lists. The name is the
 * integration's identity: refunds and idempotency keys are scoped to it, so rotating a key under
 * the same name keeps both working.
 */
@Entity('integration_keys')
@Check(
  'integration_keys_scopes_check',
  `scopes <@ ARRAY['credits:check', 'credits:deduct', 'credits:refund', 'sessions:claim']::text[]`,
)
@Check('integration_keys_source_check', `source IN ('env', 'admin')`)
export class IntegrationKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  @Index('integration_keys_key_hash_key', { unique: true })
  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash!: string;

  @Column({ type: 'text', array: true })
  scopes!: IntegrationScope[];

  /** `env`: from INTEGRATION_API_KEYS at start-up; `admin`: created through the Admin API. */
  @Column({ type: 'varchar', length: 8, default: 'admin' })
  source!: 'env' | 'admin';

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'integration_keys_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
