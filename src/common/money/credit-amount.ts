/**
 * Exact credit arithmetic. Credits have 4 decimal places; in memory an amount is a `bigint` count
 * of units of 0.0001 (never a JS float), in PostgreSQL a `numeric(20,4)`, on the wire a decimal
 * string. Numbers in JSON are accepted on input when their shortest form has at most 4 decimals.
 */
export const CREDIT_SCALE = 4;
export const UNITS_PER_CREDIT = 10_000n;

/** Largest magnitude numeric(20,4) can hold (16 integer digits). */
export const STORAGE_MAX_UNITS = 10n ** 20n - 1n;

const DECIMAL = /^(-)?(\d{1,16})(?:\.(\d{1,4}))?$/;

/** Why a value is not a valid amount; `null` when it is one. */
export type AmountProblem = 'not_a_number' | 'too_many_decimals' | 'out_of_range';

/**
 * Parses a decimal string or a JSON number into units. Rejects NaN, Infinity, exponent notation,
 * more than 4 decimals and more than 16 integer digits. Signs are allowed; callers check them.
 */
export function parseUnits(value: unknown): { units: bigint } | { problem: AmountProblem } {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { problem: 'not_a_number' };
    text = String(value);
    if (/e/i.test(text)) {
      return { problem: Math.abs(value) < 1 ? 'too_many_decimals' : 'out_of_range' };
    }
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return { problem: 'not_a_number' };
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    if (/^-?\d+\.\d{5,}$/.test(text)) return { problem: 'too_many_decimals' };
    if (/^-?\d{17,}(\.\d+)?$/.test(text)) return { problem: 'out_of_range' };
    return { problem: 'not_a_number' };
  }
  const [, minus, whole, fraction = ''] = match;
  const units = BigInt(whole) * UNITS_PER_CREDIT + BigInt(fraction.padEnd(CREDIT_SCALE, '0'));
  return { units: minus ? -units : units };
}

/** Units → the shortest decimal string: 1234500n → "123.45", -30000n → "-3", 0n → "0". */
export function formatUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / UNITS_PER_CREDIT;
  const fraction = (abs % UNITS_PER_CREDIT)
    .toString()
    .padStart(CREDIT_SCALE, '0')
    .replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A numeric value read from PostgreSQL ("123.4500", "-3.0000", "0") → units. */
export function unitsFromSql(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined) return 0n;
  const parsed = parseUnits(typeof value === 'number' ? String(value) : value);
  if ('problem' in parsed) throw new Error(`Unexpected numeric value from the database: ${value}`);
  return parsed.units;
}

/** Units → a fixed-scale literal for a SQL parameter: 30000n → "3.0000". */
export function unitsToSql(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const fraction = (abs % UNITS_PER_CREDIT).toString().padStart(CREDIT_SCALE, '0');
  return `${negative ? '-' : ''}${abs / UNITS_PER_CREDIT}.${fraction}`;
}

/** Converts a decimal config/API value to canonical form, or throws with a readable reason. */
export function canonicalAmount(value: unknown): string {
  const parsed = parseUnits(value);
  if ('problem' in parsed) throw new Error(describeAmountProblem(parsed.problem));
  return formatUnits(parsed.units);
}

export function describeAmountProblem(problem: AmountProblem): string {
  switch (problem) {
    case 'not_a_number':
      return 'must be a decimal number (e.g. 30 or "12.5")';
    case 'too_many_decimals':
      return `must have at most ${CREDIT_SCALE} decimal places`;
    case 'out_of_range':
      return 'is too large';
  }
}
