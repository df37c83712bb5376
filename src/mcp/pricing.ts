/**
 * Exact credit arithmetic on decimal strings via bigint (never floating point). Prices are
 * credits per 1,000 tokens with up to 6 decimal places; costs are rounded UP to the ledger's
 * smallest unit, 0.0001 credit.
 */
const PRICE_SCALE = 6;
const LEDGER_SCALE = 4;

/** Parses a non-negative decimal string with at most `scale` places into an integer of that scale. */
export function parseDecimal(value: string, scale: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new Error(`Not a non-negative decimal: ${value}`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) throw new Error(`More than ${scale} decimal places: ${value}`);
  return BigInt(match[1]) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
}

/** Formats an integer of the given scale as a plain decimal string without trailing zeros. */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(scale);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(scale, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export interface Prices {
  /** Credits per 1,000 input tokens, decimal string. */
  inputPer1k: string;
  /** Credits per 1,000 output tokens, decimal string. */
  outputPer1k: string;
}

/** Cost in ledger units (1 = 0.0001 credit) of the given usage, rounded up. */
export function costUnits(prices: Prices, inputTokens: number, outputTokens: number): bigint {
  // tokens × price(scale 6) / 1000 → scale 9; ledger scale 4 → divide by 10^5 rounding up.
  const exact =
    BigInt(inputTokens) * parseDecimal(prices.inputPer1k, PRICE_SCALE) +
    BigInt(outputTokens) * parseDecimal(prices.outputPer1k, PRICE_SCALE);
  const divisor = 1000n * 10n ** BigInt(PRICE_SCALE - LEDGER_SCALE);
  return (exact + divisor - 1n) / divisor;
}

/** Cost of the given usage as a ledger amount string (at most 4 decimals, rounded up). */
export function cost(prices: Prices, inputTokens: number, outputTokens: number): string {
  return formatDecimal(costUnits(prices, inputTokens, outputTokens), LEDGER_SCALE);
}

export function ledgerUnits(amount: string): bigint {
  return parseDecimal(amount, LEDGER_SCALE);
}

export function formatLedger(units: bigint): string {
  return formatDecimal(units, LEDGER_SCALE);
}
