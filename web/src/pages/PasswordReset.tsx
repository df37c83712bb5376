import { Alert, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { hub, unwrap } from '../api/client';
import { EmailField, NewPasswordField } from '../components/AuthFields';
import { AuthCard } from '../components/AuthCard';
import { useServerForm } from '../components/useServerForm';
import { CodeInput } from './VerifyEmail';

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const form = useServerForm(['email'] as const);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const ok = await form.run(() =>
      unwrap(hub.POST('/api/auth/forgot-password', { body: { email } })),
    );
    if (ok) navigate(`/reset-password?email=${encodeURIComponent(email.trim())}`);
  };

  return (
    <AuthCard title={t('auth.forgotTitle')} error={form.formError}>
      <Text size="sm">{t('auth.forgotHelp')}</Text>
      <form onSubmit={submit} noValidate>
        <Stack>
          <EmailField value={email} onChange={setEmail} error={form.errors.email} />
          <Button type="submit" loading={form.submitting} fullWidth>
            {t('auth.sendCode')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const email = params.get('email') ?? '';
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const form = useServerForm(['code', 'password'] as const);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const ok = await form.run(() =>
      unwrap(hub.POST('/api/auth/reset-password', { body: { email, code, password } })),
    );
    if (ok) navigate(`/signin?notice=resetDone&email=${encodeURIComponent(email)}`);
  };

  return (
    <AuthCard title={t('auth.resetTitle')} error={form.formError}>
      <Alert color="blue" role="status">
        {t('auth.sentIfExists')}
      </Alert>
      <form onSubmit={submit} noValidate>
        <Stack>
          <CodeInput value={code} onChange={setCode} error={form.errors.code} />
          <NewPasswordField
            label={t('auth.newPassword')}
            value={password}
            onChange={setPassword}
            error={form.errors.password}
            email={email}
          />
          <Button type="submit" loading={form.submitting} disabled={code.length !== 6} fullWidth>
            {t('auth.reset')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
