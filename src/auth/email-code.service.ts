import { createHash, createHmac, randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config';
import { InvalidEmailCodeError } from './auth.errors';
import { EmailCodesRepository } from './email-codes.repository';
import { EmailCodePurpose } from './entities/email-code.entity';
import { equalSecrets } from './secrets';

export const EMAIL_CODE_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

type Check = 'ok' | 'wrong' | 'burnt' | 'missing';

/**
 * One-time 6-digit codes sent by mail: 10 minutes, one live code per user and purpose, kept as
 * an HMAC (a plain hash of a 6-digit number is reversed in a second), 5 wrong tries burn it.
 */
@Injectable()
export class EmailCodeService {
  private readonly key: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly codes: EmailCodesRepository,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.key = createHash('sha256').update(`email-codes:${config.jwt.secret}`).digest();
  }

  private hash(userId: string, purpose: EmailCodePurpose, code: string): string {
    return createHmac('sha256', this.key).update(`${userId}:${purpose}:${code}`).digest('hex');
  }

  /** A fresh code for this user and purpose; the previous one stops working. */
  async issue(userId: string, purpose: EmailCodePurpose): Promise<string> {
    const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
    const now = this.clock.now();
    await this.codes.replace({
      userId,
      purpose,
      codeHash: this.hash(userId, purpose, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + EMAIL_CODE_TTL_MS),
    });
    return code;
  }

  /** Uses the code up, or throws InvalidEmailCodeError (wrong, expired, used or burnt). */
  async consume(userId: string, purpose: EmailCodePurpose, code: string): Promise<void> {
    const now = this.clock.now();
    // Decided in one transaction with the row locked, so concurrent tries are counted exactly;
    // the failure is thrown after commit, so the counted attempt is kept.
    const result = await this.dataSource.transaction(async (manager): Promise<Check> => {
      const row = await this.codes.lock(manager, userId, purpose);
      if (!row) return 'missing';
      if (row.expiresAt.getTime() <= now.getTime()) {
        await this.codes.delete(manager, userId, purpose);
        return 'missing';
      }
      if (equalSecrets(row.codeHash, this.hash(userId, purpose, code))) {
        await this.codes.delete(manager, userId, purpose);
        return 'ok';
      }
      if (row.attempts + 1 >= EMAIL_CODE_MAX_ATTEMPTS) {
        await this.codes.delete(manager, userId, purpose);
        return 'burnt';
      }
      await this.codes.countAttempt(manager, userId, purpose);
      return 'wrong';
    });
    if (result !== 'ok') throw new InvalidEmailCodeError();
  }
}
