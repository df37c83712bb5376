/**
 * What every area's variable table and config builder share (under `variables/`): a variable's
 * declaration and the parsed values handed to each builder. Kept apart from `app-config.ts` and
 * `environment.ts`, which import the areas, so the areas import only downwards.
 */

export type VariableKind =
  | { type: 'string' }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'url'; protocols: readonly string[] }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list' }
  | { type: 'duration' };

export interface VariableSpec {
  name: string;
  kind: VariableKind;
  /** Used when the variable is unset or empty; `undefined` means "optional, no default". */
  default?: string;
  description: string;
  /** A secret is never logged and must be set explicitly when NODE_ENV=production. */
  secret?: boolean;
  requiredInProduction?: boolean;
}

export type Parsed = string | number | boolean | string[] | undefined;

/** Parsed values by variable name, plus the problems found so far; handed to each area's builder. */
export class ConfigValues {
  readonly problems: string[] = [];

  constructor(
    private readonly values: Map<string, Parsed>,
    readonly nodeEnv: string,
  ) {}

  string(name: string): string {
    return this.values.get(name) as string;
  }
  optionalString(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }
  number(name: string): number {
    return this.values.get(name) as number;
  }
  boolean(name: string): boolean {
    return this.values.get(name) as boolean;
  }
  list(name: string): string[] {
    return this.values.get(name) as string[];
  }
  /** Records a cross-field or semantic problem an area's builder found. */
  problem(message: string): void {
    this.problems.push(message);
  }
}
