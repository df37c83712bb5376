import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { parseUnits } from '../../common/money/credit-amount';

/**
 * A positive credit amount: a JSON number or a decimal string, at most 4 decimal places
 * (NaN, strings that are not numbers, negatives and zero → 400). CREDIT_MAX_AMOUNT is enforced
 * by the service, which every caller (HTTP or not) goes through.
 */
export function IsCreditAmount(
  docs: ApiPropertyOptions = {},
  options?: ValidationOptions,
): PropertyDecorator {
  const validator: PropertyDecorator = (target, propertyName) =>
    registerDecorator({
      name: 'isCreditAmount',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be a positive number with at most 4 decimal places`,
        ...options,
      },
      validator: {
        validate(value: unknown): boolean {
          const parsed = parseUnits(value);
          return 'units' in parsed && parsed.units > 0n;
        },
      },
    });
  return applyDecorators(
    ApiProperty({
      oneOf: [{ type: 'number' }, { type: 'string', pattern: '^\\d+(\\.\\d{1,4})?$' }],
      example: 30,
      ...docs,
    }),
    validator,
  );
}
