import { Injectable } from '@nestjs/common';
import { describeAmountProblem, formatUnits, parseUnits } from '../common/money/credit-amount';
import { AppConfig } from '../config/app-config';
import { InvalidCreditRequestError } from './credits.errors';

export const METADATA_MAX_BYTES = 8192;
export { isUuid } from '../common/uuid';

/** Metadata is a JSON object of at most 8 KB (UTF-8 of its JSON form); anything else → 400. */
export function checkMetadata(metadata: unknown): Record<string, unknown> {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidCreditRequestError('metadata must be a JSON object');
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > METADATA_MAX_BYTES) {
    throw new InvalidCreditRequestError(
      `metadata must be at most ${METADATA_MAX_BYTES} bytes of JSON (got ${bytes})`,
    );
  }
  return metadata as Record<string, unknown>;
}

/** The amount rules every credit operation shares: positive, ≤4 decimals, ≤ CREDIT_MAX_AMOUNT. */
@Injectable()
export class CreditAmountRules {
  private readonly maxUnits: bigint;

  constructor(config: AppConfig) {
    const parsed = parseUnits(config.credits.maxAmount);
    this.maxUnits = 'units' in parsed ? parsed.units : 0n;
  }

  get max(): string {
    return formatUnits(this.maxUnits);
  }

  /** Parses a positive amount (or zero when allowed) into units of 0.0001; else a 400. */
  parse(value: unknown, field: string, options: { allowZero?: boolean } = {}): bigint {
    const parsed = parseUnits(value);
    if ('problem' in parsed) {
      throw new InvalidCreditRequestError(`${field} ${describeAmountProblem(parsed.problem)}`);
    }
    const units = parsed.units;
    if (units < 0n || (units === 0n && !options.allowZero)) {
      throw new InvalidCreditRequestError(
        `${field} must be ${options.allowZero ? 'zero or more' : 'greater than zero'}`,
      );
    }
    if (units > this.maxUnits) {
      throw new InvalidCreditRequestError(`${field} must be at most ${this.max}`);
    }
    return units;
  }

  /** A signed, non-zero amount (adjustments), same limits on its magnitude. */
  parseSigned(value: unknown, field: string): bigint {
    const parsed = parseUnits(value);
    if ('problem' in parsed) {
      throw new InvalidCreditRequestError(`${field} ${describeAmountProblem(parsed.problem)}`);
    }
    const magnitude = parsed.units < 0n ? -parsed.units : parsed.units;
    if (magnitude === 0n) throw new InvalidCreditRequestError(`${field} must not be zero`);
    if (magnitude > this.maxUnits) {
      throw new InvalidCreditRequestError(`${field} must be at most ${this.max} in magnitude`);
    }
    return parsed.units;
  }
}
