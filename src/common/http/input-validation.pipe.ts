import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { legacyNamesOf, renameLegacyFields } from './legacy-names';

// Where @ApiProperty keeps a property's schema (@nestjs/swagger's API_MODEL_PROPERTIES,
// which its package does not export).
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';

function isDtoInstance(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    value.constructor !== Object
  );
}

/** The first property holding `null` that its DTO does not declare `nullable`, as a path. */
export function undeclaredNull(instance: object, path = ''): string | undefined {
  for (const [key, value] of Object.entries(instance)) {
    const field = path === '' ? key : `${path}.${key}`;
    if (value === null) {
      const doc = Reflect.getMetadata(API_MODEL_PROPERTIES, instance, key) as
        { nullable?: boolean } | undefined;
      if (!doc?.nullable) return field;
    } else if (isDtoInstance(value)) {
      const nested = undeclaredNull(value, field);
      if (nested) return nested;
    }
  }
  return undefined;
}

/**
 * The app's one validation pipe: class-validator with unknown fields refused, plus one global
 * rule — an optional field is either a value or left out; `null` is accepted only where the DTO
 * declares it (`@ApiProperty({ nullable: true })`), so no service ever receives a null it did not
 * expect (`{"code": null}` used to reach the promo service and fail there with a 500).
 * Old field names a DTO still accepts (`@AcceptsLegacyNames`) are renamed first.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const names = legacyNamesOf(metadata.metatype);
    const input = names ? renameLegacyFields(value, names) : value;
    const result: unknown = await super.transform(input, metadata);
    if (metadata.type === 'body' && isDtoInstance(result)) {
      const field = undeclaredNull(result);
      if (field) {
        throw new BadRequestException(
          `${field} must not be null: give a value or leave the field out`,
        );
      }
    }
    return result;
  }
}
