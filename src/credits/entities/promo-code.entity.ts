import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../../auth/entities/user.entity';

/** A code worth `amount` credits, redeemable once per user up to `max_redemptions` times. */
@Entity('promo_codes')
@Index('promo_codes_created_idx', { synchronize: false })
@Check('promo_codes_amount_check', `amount > 0`)
@Check('promo_codes_max_redemptions_check', `max_redemptions > 0`)
@Check(
  'promo_codes_redemption_count_check',
  `redemption_count >= 0 AND redemption_count <= max_redemptions`,
)
export class PromoCode {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored upper-case; redemption is case-insensitive. */
  @Index('promo_codes_code_key', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  code!: string;

  @Column({ type: 'numeric', precision: 20, scale: 4 })
  amount!: string;

  @Column({ name: 'max_redemptions', type: 'integer' })
  maxRedemptions!: number;

  @Column({ name: 'redemption_count', type: 'integer', default: 0 })
  redemptionCount!: number;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'promo_codes_created_by_fkey' })
  creator?: User;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
