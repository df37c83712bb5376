import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type UserRole = 'user' | 'admin';
export type UserStatus = 'active' | 'disabled';

/** A person who can log in. Emails are stored lower-cased and unique case-insensitively. */
@Entity('users')
// Expression index (lower(email)) managed by the migration; TypeORM must not try to "fix" it.
@Index('users_email_lower_key', { synchronize: false })
// Admin search and list (migration AdminIndexes): trigram GIN on lower(email)/lower(name).
@Index('users_email_trgm_idx', { synchronize: false })
@Index('users_name_trgm_idx', { synchronize: false })
@Index('users_created_idx', { synchronize: false })
@Check('users_role_check', `role IN ('user', 'admin')`)
@Check('users_status_check', `status IN ('active', 'disabled')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** argon2id; null for accounts that only log in with Google. */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Index('users_google_id_key', { unique: true, where: 'google_id IS NOT NULL' })
  @Column({ name: 'google_id', type: 'varchar', length: 64, nullable: true })
  googleId!: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  @Column({ type: 'varchar', length: 16, default: 'user' })
  role!: UserRole;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: UserStatus;

  /** Access tokens issued before this instant are refused (a password reset sets it). */
  @Column({ name: 'tokens_valid_after', type: 'timestamptz', nullable: true })
  tokensValidAfter!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
