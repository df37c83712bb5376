import { PasswordInput, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PasswordHint } from './PasswordHint';

interface FieldProps {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}

export function EmailField(props: FieldProps) {
  const { t } = useTranslation();
  return (
    <TextInput
      label={t('auth.email')}
      type="email"
      autoComplete="email"
      required
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error}
    />
  );
}

/** A password being chosen: the server's rules are shown under it as the user types. */
export function NewPasswordField(props: FieldProps & { label: string; email?: string }) {
  return (
    <PasswordInput
      label={props.label}
      autoComplete="new-password"
      required
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error}
      description={<PasswordHint password={props.value} email={props.email} />}
      inputWrapperOrder={['label', 'input', 'description', 'error']}
    />
  );
}
