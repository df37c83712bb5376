import { BadRequestException } from '@nestjs/common';

/** Old wire name → new name, for one release after a rename (CHANGELOG.md lists them). */
export type LegacyNameMap = Readonly<Record<string, string>>;

const LEGACY_NAMES = 'hub:legacy-names';

/**
 * Declares the old (pre-snake_case) names a request DTO still accepts for one release. The
 * validation pipe renames them before validating, so controllers and services only ever see the
 * new names, and the OpenAPI document only lists them.
 */
export function AcceptsLegacyNames(names: LegacyNameMap): ClassDecorator {
  return (target) => Reflect.defineMetadata(LEGACY_NAMES, names, target);
}

export function legacyNamesOf(metatype: unknown): LegacyNameMap | undefined {
  return typeof metatype === 'function'
    ? (Reflect.getMetadata(LEGACY_NAMES, metatype) as LegacyNameMap | undefined)
    : undefined;
}

/**
 * A copy of `value` with every old name present renamed to its new one. Sending both names of
 * one field is a 400 (which would win is not obvious); anything that is not a plain object is
 * returned as it is, for the validator to refuse.
 */
export function renameLegacyFields(value: unknown, names: LegacyNameMap): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const renamed: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [old, current] of Object.entries(names)) {
    if (!Object.prototype.hasOwnProperty.call(renamed, old)) continue;
    if (Object.prototype.hasOwnProperty.call(renamed, current)) {
      throw new BadRequestException(`Send ${current} only: ${old} is its old name`);
    }
    renamed[current] = renamed[old];
    delete renamed[old];
  }
  return renamed;
}
