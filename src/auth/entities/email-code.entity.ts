import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';

export type EmailCodePurpose = 'verify_email' | 'reset_password';

/**
 * The live one-time code of a user for one purpose, stored as an HMAC of the code. Using it, or
 * too many wrong tries, deletes the row; a new code replaces the old one.
 */
@Entity('email_codes')
@Check('email_codes_purpose_check', `purpose IN ('verify_email', 'reset_password')`)
export class EmailCode {
  @PrimaryColumn({ name: 'user_id', type: 'uuid', primaryKeyConstraintName: 'email_codes_pkey' })
  userId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16, primaryKeyConstraintName: 'email_codes_pkey' })
  purpose!: EmailCodePurpose;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'email_codes_user_fk' })
  user?: User;

  @Column({ name: 'code_hash', type: 'char', length: 64 })
  codeHash!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
