import { useState } from 'react';
import { ApiError, fieldErrors } from '../api/http';

/**
 * Runs a submit and spreads the server's answer over the form: messages naming a field go under
 * it, the rest above the form. `submitting` drives the buttons' loading state.
 */
export function useServerForm<F extends string>(fields: readonly F[]) {
  const [errors, setErrors] = useState<Partial<Record<F, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setSubmitting(true);
    setErrors({});
    setFormError(null);
    try {
      await action();
      return true;
    } catch (error) {
      if (error instanceof ApiError) {
        const split = fieldErrors(error.message, fields);
        setErrors(split.fields as Partial<Record<F, string>>);
        setFormError(split.form);
      } else {
        setFormError(error instanceof Error ? error.message : String(error));
      }
      return false;
    } finally {
      setSubmitting(false);
    }
  }

  return { errors, formError, setFormError, submitting, run };
}
