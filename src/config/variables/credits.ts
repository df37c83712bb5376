import {
  describeAmountProblem,
  formatUnits,
  parseUnits,
  STORAGE_MAX_UNITS,
} from '../../common/money/credit-amount';
import type { ConfigValues, VariableSpec } from '../config-values';

/** The credit ledger, holds, idempotency and who may call the credit API. */
export const CREDITS_VARIABLES: readonly VariableSpec[] = [
  {
    name: 'SIGNUP_BONUS_CREDITS',
    kind: { type: 'string' },
    default: '0',
    description:
      'Credits every new account starts with, written as its `signup` ledger row (decimal, ≤4 places).',
  },
  {
    name: 'SIGNUP_BONUS_AT_REGISTRATION',
    kind: { type: 'bool' },
    default: 'true',
    description:
      'true: SIGNUP_BONUS_CREDITS at registration. false (S-19): only once the email is verified (a mailed code, or Google vouching for it), as a `topup` row "signup bonus", so unverified accounts cannot farm it.',
  },
  {
    name: 'CREDIT_MAX_AMOUNT',
    kind: { type: 'string' },
    default: '1000000',
    description:
      'Largest amount one credit operation (cost, refund, hold, top-up, promo) may move; larger → 400.',
  },
  {
    name: 'CREDIT_HOLD_DEFAULT_TTL',
    kind: { type: 'duration' },
    default: '10m',
    description: 'How long a hold reserves credits when the caller names no `ttl_seconds`.',
  },
  {
    name: 'CREDIT_HOLD_MAX_TTL',
    kind: { type: 'duration' },
    default: '24h',
    description:
      'Longest hold a caller may ask for; expired holds stop counting against the balance.',
  },
  {
    name: 'IDEMPOTENCY_TTL',
    kind: { type: 'duration' },
    default: '24h',
    description: 'How long an `Idempotency-Key` and its stored response are kept (at least 24h).',
  },
  {
    name: 'IDEMPOTENCY_WAIT',
    kind: { type: 'duration' },
    default: '10s',
    description:
      'How long a copy of a request still in progress waits for the first before answering 409.',
  },
  {
    name: 'CREDIT_BATCH_CONCURRENCY',
    kind: { type: 'int', min: 1, max: 64 },
    default: '4',
    description:
      'Most money-core calls (one SQL statement each) running at once (and as many again for chat holds, which do not wait for the WAL flush); operations arriving meanwhile share the next call (one ledger row and one answer each). See CREDIT_BATCH_OVERLAP_AFTER for when a second call starts.',
  },
  {
    name: 'CREDIT_BATCH_MAX',
    kind: { type: 'int', min: 1, max: 50 },
    default: '32',
    description: 'Most credit operations one money-core call carries.',
  },
  {
    name: 'CREDIT_BATCH_OVERLAP_AFTER',
    kind: { type: 'duration' },
    default: '20ms',
    description:
      'While a money-core call runs, operations arriving wait for it and go together in the next call, unless CREDIT_BATCH_MAX of them are waiting or the call has run this long: then another call starts beside it (up to CREDIT_BATCH_CONCURRENCY). Fewer, fuller statements cost PostgreSQL and the server less CPU per operation; `0ms` starts a call for each event-loop turn while slots are free, as chat holds always do (a first token waits for them).',
  },
  {
    name: 'INTEGRATION_API_KEYS',
    kind: { type: 'list' },
    default: '',
    description:
      'Integration keys known at start-up as comma-separated `name:key` pairs (all scopes; stored hashed), e.g. `sora2:<32+ random chars>`. They act for any user (`user_scope` `all`) unless written `name:key:granted`: then only for users who granted the integration.',
    secret: true,
  },
  {
    name: 'INTEGRATION_RATE_LIMIT_PER_MINUTE',
    kind: { type: 'int', min: 1, max: 10_000_000 },
    default: '6000',
    description: 'Credit API requests per minute allowed to one integration key (not per IP).',
  },
];

export interface BootstrapIntegrationKey {
  name: string;
  key: string;
  /** `all` unless the entry ends in `:granted`. */
  userScope: 'granted' | 'all';
}

export interface CreditsConfig {
  /** Canonical decimal strings. */
  signupBonus: string;
  /** SIGNUP_BONUS_AT_REGISTRATION; false: granted when the email is verified. */
  signupBonusAtRegistration: boolean;
  maxAmount: string;
  holdDefaultTtlMs: number;
  holdMaxTtlMs: number;
  idempotencyTtlMs: number;
  idempotencyWaitMs: number;
  integrationKeys: BootstrapIntegrationKey[];
  integrationRateLimitPerMinute: number;
  batchConcurrency: number;
  batchMax: number;
  /** CREDIT_BATCH_OVERLAP_AFTER in ms. */
  batchOverlapAfterMs: number;
}

export const INTEGRATION_KEY_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
export const MIN_INTEGRATION_KEY_LENGTH = 32;
const DAY_MS = 86_400_000;

/** A decimal amount variable as the API writes it; a problem is recorded when out of range. */
export function decimal(v: ConfigValues, name: string, allowZero: boolean): string {
  const parsed = parseUnits(v.string(name));
  if ('problem' in parsed) {
    v.problem(`${name} is invalid: it ${describeAmountProblem(parsed.problem)}`);
    return '0';
  }
  if (
    parsed.units < 0n ||
    (!allowZero && parsed.units === 0n) ||
    parsed.units > STORAGE_MAX_UNITS
  ) {
    v.problem(`${name} is invalid: it must be ${allowZero ? 'zero or more' : 'positive'}`);
  }
  return formatUnits(parsed.units);
}

function integrationKeys(v: ConfigValues): BootstrapIntegrationKey[] {
  const keys: BootstrapIntegrationKey[] = [];
  for (const pair of v.list('INTEGRATION_API_KEYS')) {
    const colon = pair.indexOf(':');
    const name = colon > 0 ? pair.slice(0, colon) : '';
    const marked = pair.endsWith(':granted');
    const key = colon > 0 ? pair.slice(colon + 1, marked ? -':granted'.length : undefined) : '';
    // Never echo the key itself: name the entry by position and name only.
    if (!INTEGRATION_KEY_NAME.test(name) || key.length < MIN_INTEGRATION_KEY_LENGTH) {
      v.problem(
        `INTEGRATION_API_KEYS entry #${keys.length + 1} is invalid: it must be name:key with a name of letters, digits, ._- and a key of at least ${MIN_INTEGRATION_KEY_LENGTH} characters`,
      );
      continue;
    }
    keys.push({ name, key, userScope: marked ? 'granted' : 'all' });
  }
  return keys;
}

export function buildCreditsConfig(v: ConfigValues): CreditsConfig {
  const idempotencyTtlMs = v.number('IDEMPOTENCY_TTL');
  if (idempotencyTtlMs < DAY_MS) {
    v.problem('IDEMPOTENCY_TTL is invalid: it must be at least 24h');
  }
  const holdMaxTtlMs = v.number('CREDIT_HOLD_MAX_TTL');
  const holdDefaultTtlMs = v.number('CREDIT_HOLD_DEFAULT_TTL');
  if (holdDefaultTtlMs > holdMaxTtlMs || holdDefaultTtlMs < 1000) {
    v.problem('CREDIT_HOLD_DEFAULT_TTL is invalid: it must be from 1s to CREDIT_HOLD_MAX_TTL');
  }
  return {
    signupBonus: decimal(v, 'SIGNUP_BONUS_CREDITS', true),
    signupBonusAtRegistration: v.boolean('SIGNUP_BONUS_AT_REGISTRATION'),
    maxAmount: decimal(v, 'CREDIT_MAX_AMOUNT', false),
    holdDefaultTtlMs,
    holdMaxTtlMs,
    idempotencyTtlMs,
    idempotencyWaitMs: v.number('IDEMPOTENCY_WAIT'),
    integrationKeys: integrationKeys(v),
    integrationRateLimitPerMinute: v.number('INTEGRATION_RATE_LIMIT_PER_MINUTE'),
    batchConcurrency: v.number('CREDIT_BATCH_CONCURRENCY'),
    batchMax: v.number('CREDIT_BATCH_MAX'),
    batchOverlapAfterMs: v.number('CREDIT_BATCH_OVERLAP_AFTER'),
  };
}
