import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../auth/entities/user.entity';
import { Session } from './session.entity';

/**
 * A third party's pending login (device-flow style): registered when the user starts Google login
 * with `?session=…`, completed when the login succeeds, delivered to the service exactly once.
 */
@Entity('session_claims')
@Index('session_claims_expires_idx', ['expiresAt'])
export class SessionClaim {
  @PrimaryColumn({ name: 'third_party_session_id', type: 'varchar', length: 128 })
  thirdPartySessionId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'session_claims_user_id_fkey' })
  user?: User;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** SHA-256 of the login cookie of the browser that started it: only it can complete it (S-12). */
  @Column({ name: 'browser_hash', type: 'char', length: 64, nullable: true })
  browserHash!: string | null;

  /** The integration that polled this login while pending: the success page names it. */
  @Column({ name: 'client_name', type: 'varchar', length: 64, nullable: true })
  clientName!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'delivered_session_id', type: 'uuid', nullable: true })
  deliveredSessionId!: string | null;

  @ManyToOne(() => Session, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'delivered_session_id',
    foreignKeyConstraintName: 'session_claims_session_id_fkey',
  })
  deliveredSession?: Session;
}
