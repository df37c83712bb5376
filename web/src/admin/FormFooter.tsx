import { Alert, Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The end of every admin form: the server's message that names no field, the submit button
 * (loading while the request runs) and what the form shows after a success (`children`).
 */
export function FormFooter(props: {
  form: { formError: string | null; submitting: boolean };
  submitLabel: string;
  children?: ReactNode;
}) {
  return (
    <>
      {props.form.formError && (
        <Alert color="red" role="alert">
          {props.form.formError}
        </Alert>
      )}
      <Group>
        <Button type="submit" loading={props.form.submitting}>
          {props.submitLabel}
        </Button>
        {props.children}
      </Group>
    </>
  );
}
