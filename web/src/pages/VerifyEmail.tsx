import { Alert, Button, Group, PinInput, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { hub, unwrap } from '../api/client';
import { AuthCard } from '../components/AuthCard';
import { useServerForm } from '../components/useServerForm';

export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [code, setCode] = useState('');
  const [resent, setResent] = useState(false);
  const form = useServerForm(['email', 'code'] as const);

  const submit = async (event?: React.FormEvent) => {
    event?.preventDefault();
    const ok = await form.run(() =>
      unwrap(hub.POST('/api/auth/verify-email', { body: { email, code } })),
    );
    if (ok) navigate(`/signin?notice=verified&email=${encodeURIComponent(email)}`);
  };

  const resend = async () => {
    const ok = await form.run(() =>
      unwrap(hub.POST('/api/auth/resend-verification', { body: { email } })),
    );
    setResent(ok);
  };

  return (
    <AuthCard title={t('auth.verifyTitle')} error={form.formError}>
      <Text size="sm">{t('auth.verifyHelp', { email: email || '…' })}</Text>
      {resent && (
        <Alert color="teal" role="status">
          {t('auth.resent')}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack>
          {!params.get('email') && (
            <TextInput
              label={t('auth.email')}
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={form.errors.email}
            />
          )}
          <CodeInput value={code} onChange={setCode} error={form.errors.code} />
          <Group grow>
            <Button type="submit" loading={form.submitting} disabled={code.length !== 6}>
              {t('auth.verify')}
            </Button>
            <Button variant="default" onClick={() => void resend()} disabled={!email}>
              {t('auth.resend')}
            </Button>
          </Group>
        </Stack>
      </form>
    </AuthCard>
  );
}

/** Six one-digit boxes; pasting the whole code fills them all (Mantine PinInput). */
export function CodeInput(props: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  return (
    <Stack gap={4}>
      <Text component="label" size="sm" fw={500} id="code-label">
        {t('auth.code')}
      </Text>
      <PinInput
        length={6}
        type="number"
        oneTimeCode
        value={props.value}
        onChange={props.onChange}
        error={Boolean(props.error)}
        aria-labelledby="code-label"
        getInputProps={(index) => ({ 'aria-label': `${t('auth.code')} ${index + 1}` })}
        data-testid="code-input"
      />
      {props.error && (
        <Text size="xs" c="red" role="alert">
          {props.error}
        </Text>
      )}
    </Stack>
  );
}
