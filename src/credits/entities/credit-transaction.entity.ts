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

export const CREDIT_TRANSACTION_TYPES = [
  'signup',
  'topup',
  'deduct',
  'refund',
  'promo',
  'adjustment',
  'chat',
] as const;
export type CreditTransactionType = (typeof CREDIT_TRANSACTION_TYPES)[number];

/**
 * One row per change of a balance, append-only (a trigger refuses UPDATE and DELETE). For every
 * account `balance = sum(amount)`; `balance_after = balance_before + amount` per row.
 */
@Entity('credit_transactions')
@Index('credit_transactions_user_created_idx', ['userId', 'createdAt', 'id'])
// Admin usage analytics and transaction list (migration AdminIndexes; the first covers columns).
@Index('credit_transactions_created_idx', { synchronize: false })
@Index('credit_transactions_service_created_idx', { synchronize: false })
@Check(
  'credit_transactions_type_check',
  `type IN ('signup', 'topup', 'deduct', 'refund', 'promo', 'adjustment', 'chat')`,
)
@Check('credit_transactions_arithmetic_check', `balance_after = balance_before + amount`)
@Check('credit_transactions_balance_check', `balance_after >= 0`)
@Check('credit_transactions_amount_check', `amount <> 0 OR type = 'signup'`)
@Check('credit_transactions_metadata_check', `jsonb_typeof(metadata) = 'object'`)
export class CreditTransaction {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_transactions_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  type!: CreditTransactionType;

  @Column({ type: 'varchar', length: 100, nullable: true })
  service!: string | null;

  /** Signed: negative for deductions. */
  @Column({ type: 'numeric', precision: 20, scale: 4 })
  amount!: string;

  @Column({ name: 'balance_before', type: 'numeric', precision: 20, scale: 4 })
  balanceBefore!: string;

  @Column({ name: 'balance_after', type: 'numeric', precision: 20, scale: 4 })
  balanceAfter!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, unknown>;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  @Index('credit_transactions_refunds_idx', { where: 'refunds_transaction_id IS NOT NULL' })
  @Column({ name: 'refunds_transaction_id', type: 'uuid', nullable: true })
  refundsTransactionId!: string | null;

  @ManyToOne(() => CreditTransaction, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'refunds_transaction_id',
    foreignKeyConstraintName: 'credit_transactions_refunds_transaction_id_fkey',
  })
  refundsTransaction?: CreditTransaction;

  /** Who made the change: `api_key:<name>`, `user:<id>`, `admin:<id>` or `system`. */
  @Column({ type: 'varchar', length: 160 })
  actor!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
