import type { ConfigValues, VariableSpec } from '../config-values';

/** VERIFIED session codes handed to third-party services. */
export const SESSION_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'SESSION_EXPIRY_DAYS',
    kind: { type: 'int', min: 1, max: 365 },
    default: '7',
    description: 'Lifetime of a VERIFIED session from its creation.',
  },
  {
    name: 'VERIFICATION_CODE_TTL_MINUTES',
    kind: { type: 'int', min: 1, max: 1440 },
    default: '10',
    description:
      'A VERIFIED code never verified within this time dies (a code left on a screen is short-lived).',
  },
  {
    name: 'MAX_SESSIONS_PER_USER',
    kind: { type: 'int', min: 1, max: 1000 },
    default: '10',
    description: 'Live sessions per user; creating one more revokes the oldest.',
  },
  {
    name: 'SESSION_VERIFY_FAILURES_PER_MINUTE',
    kind: { type: 'int', min: 1, max: 100_000 },
    default: '30',
    description:
      'Failed verify-session calls allowed per client IP and minute before 429 (successes are never limited).',
  },
];

export interface SessionConfig {
  expiryDays: number;
  unclaimedTtlMinutes: number;
  maxPerUser: number;
  verifyFailuresPerMinute: number;
}

export function buildSessionConfig(v: ConfigValues): SessionConfig {
  return {
    expiryDays: v.number('SESSION_EXPIRY_DAYS'),
    unclaimedTtlMinutes: v.number('VERIFICATION_CODE_TTL_MINUTES'),
    maxPerUser: v.number('MAX_SESSIONS_PER_USER'),
    verifyFailuresPerMinute: v.number('SESSION_VERIFY_FAILURES_PER_MINUTE'),
  };
}
