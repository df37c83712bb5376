import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { PASSWORD_MAX_LENGTH, passwordProblem } from '../common/password-rules';
import { WeakPasswordError } from './auth.errors';

// The rules live in common/ so the configuration can hold ADMIN_PASSWORD to them too.
export {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
} from '../common/password-rules';

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
