import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A Google login between the redirect to Google and the callback: the OAuth `state` (stored as
 * its SHA-256), single use, in PostgreSQL so the login works while Redis is down.
 */
@Entity('google_login_states')
@Index('google_login_states_ip_idx', ['ip', 'expiresAt'])
@Index('google_login_states_expires_idx', ['expiresAt'])
export class GoogleLoginState {
  @PrimaryColumn({ name: 'state_hash', type: 'char', length: 64 })
  stateHash!: string;

  /** The third party's session id (session mode); null in traditional mode. */
  @Column({ name: 'third_party_session_id', type: 'varchar', length: 128, nullable: true })
  thirdPartySessionId!: string | null;

  @Column({ name: 'return_to', type: 'varchar', length: 16 })
  returnTo!: string;

  /** SHA-256 of the starting browser's login cookie (S-12). */
  @Column({ name: 'browser_hash', type: 'char', length: 64 })
  browserHash!: string;

  @Column({ type: 'inet', nullable: true })
  ip!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Set by the callback that used it; a reload then says "already shown". */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
