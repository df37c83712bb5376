import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { User } from '../../auth/entities/user.entity';

/**
 * A VERIFIED session: a bearer credential a third-party service holds for a user. Only the
 * SHA-256 of the token is stored.
 */
@Entity('sessions')
@Index('sessions_user_live_idx', ['userId', 'createdAt'], { where: 'revoked_at IS NULL' })
@Unique('sessions_token_hash_key', ['tokenHash'])
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'sessions_user_id_fkey' })
  user?: User;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** First successful verification; a code never claimed dies after VERIFICATION_CODE_TTL_MINUTES. */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 64, nullable: true })
  revokedReason!: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'return_to', type: 'varchar', length: 32, nullable: true })
  returnTo!: string | null;

  @Column({ name: 'third_party_session_id', type: 'varchar', length: 128, nullable: true })
  thirdPartySessionId!: string | null;

  @Column({ name: 'client_name', type: 'varchar', length: 64, nullable: true })
  clientName!: string | null;
}
