import { passwordProblem, PasswordHasher } from './passwords';

describe('passwordProblem', () => {
  it('names the first rule a password breaks', () => {
    expect(passwordProblem('abc1')).toBe('it must be at least 8 characters long');
    expect(passwordProblem(`a1${'x'.repeat(127)}`)).toBe('it must be at most 128 characters long');
    expect(passwordProblem('abcdefgh')).toBe('it must contain a letter and a digit or symbol');
    expect(passwordProblem('12345678')).toBe('it must contain a letter and a digit or symbol');
    expect(passwordProblem('Somchai2024', 'somchai@example.com')).toBe(
      'it must not contain the name of the email address',
    );
  });

  it('accepts reasonable passwords, Thai ones included', () => {
    expect(passwordProblem('correct horse 42', 'somchai@example.com')).toBeNull();
    expect(passwordProblem('รหัสผ่านยาวพอ!')).toBeNull();
    // A very short mailbox name is not a rule worth enforcing (it would forbid common letters).
    expect(passwordProblem('a good one 1', 'a@example.com')).toBeNull();
  });
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hasher.hash('correct horse 42');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await expect(hasher.verify(hash, 'correct horse 42')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse 43')).resolves.toBe(false);
  });

  it('answers false for accounts without a password and for absurdly long input', async () => {
    await expect(hasher.verify(null, 'anything 1')).resolves.toBe(false);
    const hash = await hasher.hash('correct horse 42');
    await expect(hasher.verify(hash, 'x'.repeat(10_000))).resolves.toBe(false);
  });
});
