import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A client's `Idempotency-Key`, scoped per caller: the request's fingerprint and, once it
 * finished, the response to replay. Kept until `expires_at` (at least 24h), then pruned.
 */
@Entity('idempotency_keys')
@Index('idempotency_keys_scope_key_key', ['scope', 'key'], { unique: true })
export class IdempotencyKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 160 })
  scope!: string;

  @Column({ type: 'varchar', length: 255 })
  key!: string;

  /** SHA-256 (hex) of the operation and its canonical body. */
  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  @Column({ name: 'status_code', type: 'smallint', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  response!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Index('idempotency_keys_expires_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
