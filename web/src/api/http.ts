import type { Schemas } from '../../../clients/typescript/src';

/** The API's one error envelope, plus whatever details a rule adds (e.g. `rule`, `available`). */
export type ErrorBody = Schemas['ErrorResponseDto'] & { [extra: string]: unknown };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

/**
 * The server's validation messages name the field first ("email must be an email address",
 * "Password is too weak: …"); each goes to the form field it names, the rest to the form.
 */
export function fieldErrors(
  message: string,
  fields: readonly string[],
): { fields: Record<string, string>; form: string | null } {
  const result: Record<string, string> = {};
  const rest: string[] = [];
  for (const part of message.split('; ')) {
    const lower = part.toLowerCase();
    const field = [...fields]
      .sort((a, b) => b.length - a.length)
      .find((f) => lower.startsWith(f.toLowerCase().replace(/_/g, ' ')) || lower.startsWith(f));
    if (field && !result[field]) result[field] = part;
    else rest.push(part);
  }
  return { fields: result, form: rest.length ? rest.join('; ') : null };
}
