/** The password rules of sign-up, reset and the start-up admin (ADMIN_PASSWORD): one place. */
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
