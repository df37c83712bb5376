import {
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
import { PromoCode } from './promo-code.entity';

/** One user's redemption of one promo code (unique per pair) and the ledger row it wrote. */
@Entity('promo_redemptions')
@Index('promo_redemptions_code_user_key', ['promoCodeId', 'userId'], { unique: true })
export class PromoRedemption {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'promo_code_id', type: 'uuid' })
  promoCodeId!: string;

  @ManyToOne(() => PromoCode, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'promo_code_id',
    foreignKeyConstraintName: 'promo_redemptions_promo_code_id_fkey',
  })
  promoCode?: PromoCode;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'promo_redemptions_user_id_fkey' })
  user?: User;

  @Column({ name: 'transaction_id', type: 'uuid' })
  transactionId!: string;

  @ManyToOne(() => CreditTransaction, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'transaction_id',
    foreignKeyConstraintName: 'promo_redemptions_transaction_id_fkey',
  })
  transaction?: CreditTransaction;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
