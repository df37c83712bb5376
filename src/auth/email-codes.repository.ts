import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EmailCode, EmailCodePurpose } from './entities/email-code.entity';

/** Every SQL statement about the `email_codes` table. */
@Injectable()
export class EmailCodesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Replaces the user's live code for this purpose (if any) with a fresh one. */
  async replace(code: Omit<EmailCode, 'attempts' | 'user'>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO email_codes (user_id, purpose, code_hash, attempts, created_at, expires_at)
       VALUES ($1, $2, $3, 0, $4, $5)
       ON CONFLICT (user_id, purpose) DO UPDATE
         SET code_hash = EXCLUDED.code_hash, attempts = 0,
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [code.userId, code.purpose, code.codeHash, code.createdAt, code.expiresAt],
    );
  }

  lock(
    manager: EntityManager,
    userId: string,
    purpose: EmailCodePurpose,
  ): Promise<EmailCode | null> {
    return manager
      .getRepository(EmailCode)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.user_id = :userId AND c.purpose = :purpose', { userId, purpose })
      .getOne();
  }

  async countAttempt(manager: EntityManager, userId: string, purpose: EmailCodePurpose) {
    await manager.getRepository(EmailCode).increment({ userId, purpose }, 'attempts', 1);
  }

  async delete(manager: EntityManager, userId: string, purpose: EmailCodePurpose): Promise<void> {
    await manager.getRepository(EmailCode).delete({ userId, purpose });
  }
}
