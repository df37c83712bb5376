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
import { CreditTransaction } from './credit-transaction.entity';

export type CreditHoldStatus = 'active' | 'captured' | 'released' | 'expired';

/**
 * Credits reserved for work in progress (a chat stream, a video render). Active, unexpired holds
 * are subtracted from the balance to give the available amount; capture writes the ledger row.
 */
@Entity('credit_holds')
@Index('credit_holds_active_idx', ['userId', 'expiresAt'], { where: `status = 'active'` })
@Check('credit_holds_amount_check', `amount > 0`)
@Check('credit_holds_status_check', `status IN ('active', 'captured', 'released', 'expired')`)
export class CreditHold {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_holds_user_id_fkey' })
  user?: User;

  @Column({ type: 'varchar', length: 100 })
  service!: string;

  @Column({ type: 'numeric', precision: 20, scale: 4 })
  amount!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: CreditHoldStatus;

  @Column({ name: 'captured_amount', type: 'numeric', precision: 20, scale: 4, nullable: true })
  capturedAmount!: string | null;

  @Column({ name: 'transaction_id', type: 'uuid', nullable: true })
  transactionId!: string | null;

  @ManyToOne(() => CreditTransaction, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'transaction_id',
    foreignKeyConstraintName: 'credit_holds_transaction_id_fkey',
  })
  transaction?: CreditTransaction;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 160 })
  actor!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'settled_at', type: 'timestamptz', nullable: true })
  settledAt!: Date | null;
}
