import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../../auth/entities/user.entity';

/** One per user. `balance` is always the sum of the user's ledger amounts; never negative. */
@Entity('credit_accounts')
@Check('credit_accounts_balance_check', `balance >= 0`)
export class CreditAccount {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @OneToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'credit_accounts_user_id_fkey' })
  user?: User;

  /** numeric(20,4), read as a decimal string: never a JS float. */
  @Column({ type: 'numeric', precision: 20, scale: 4, default: 0 })
  balance!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
