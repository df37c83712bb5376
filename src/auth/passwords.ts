import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { WeakPasswordError } from './auth.errors';

export const PASSWORD_MIN_LENGTH = 8;
/** argon2 hashes any length, but an unbounded input is free CPU for an attacker. */
export const PASSWORD_MAX_LENGTH = 128;

/** The first rule the password breaks, phrased for the client; null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `it must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `it must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  }
  if (!/\p{L}/u.test(password) || !/[\p{N}\p{P}\p{S}]/u.test(password)) {
    return 'it must contain a letter and a digit or symbol';
  }
  const mailbox = email?.toLowerCase().split('@')[0] ?? '';
  if (mailbox.length >= 4 && password.toLowerCase().includes(mailbox)) {
    return 'it must not contain the name of the email address';
  }
  return null;
}

/** argon2id hashing (OWASP parameters: 19 MiB, 2 iterations, 1 lane). */
@Injectable()
export class PasswordHasher {
  private static readonly OPTIONS: argon2.HashOptions & { raw?: false } = {
    type: argon2.argon2id,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  };
  /** Verified against when the account does not exist, so both cases cost the same time. */
  private readonly decoy = argon2.hash('decoy password, never matches', PasswordHasher.OPTIONS);

  assertStrong(password: string, email?: string): void {
    const problem = passwordProblem(password, email);
    if (problem) throw new WeakPasswordError(problem);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, PasswordHasher.OPTIONS);
  }

  /** False for a null hash (a Google-only account) after spending the same time as a real check. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    if (password.length > PASSWORD_MAX_LENGTH) return false;
    try {
      if (hash === null) {
        await argon2.verify(await this.decoy, password);
        return false;
      }
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }
}
