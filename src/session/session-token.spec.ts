import { generateSessionToken, hashSessionToken, isWellFormedSessionToken } from './session-token';

describe('session tokens', () => {
  it('are VERIFIED- plus 256 random bits, never repeating', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateSessionToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) {
      expect(token).toMatch(/^VERIFIED-[A-Za-z0-9_-]{43}$/);
      expect(isWellFormedSessionToken(token)).toBe(true);
    }
  });

  it.each([
    '',
    'VERIFIED-',
    'VERIFIED-short',
    'verified-' + 'a'.repeat(43),
    `VERIFIED-${'a'.repeat(42)}!`,
  ])('rejects the malformed token %p', (token) =>
    expect(isWellFormedSessionToken(token)).toBe(false),
  );

  it('hashes to 64 hex characters that do not contain the token', () => {
    const token = generateSessionToken();
    const hash = hashSessionToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashSessionToken(token));
    expect(hash).not.toContain(token.slice(9));
  });
});
