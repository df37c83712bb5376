import { Button, Checkbox, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { hub, unwrap } from '../api/client';
import { EmailField, NewPasswordField } from '../components/AuthFields';
import { AuthCard, FooterLink, GoogleButton } from '../components/AuthCard';
import { useServerForm } from '../components/useServerForm';

export function SignUpPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [terms, setTerms] = useState(false);
  const [termsError, setTermsError] = useState<string | null>(null);
  const form = useServerForm(['name', 'email', 'password'] as const);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!terms) {
      setTermsError(t('auth.termsRequired'));
      return;
    }
    setTermsError(null);
    const ok = await form.run(() =>
      unwrap(hub.POST('/api/auth/register', { body: { name, email, password } })),
    );
    if (ok) navigate(`/verify-email?email=${encodeURIComponent(email.trim())}`);
  };

  return (
    <AuthCard title={t('auth.signUpTitle')} error={form.formError}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label={t('auth.name')}
            autoComplete="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name}
          />
          <EmailField value={email} onChange={setEmail} error={form.errors.email} />
          <NewPasswordField
            label={t('auth.password')}
            value={password}
            onChange={setPassword}
            error={form.errors.password}
            email={email}
          />
          <Checkbox
            label={t('auth.terms')}
            checked={terms}
            onChange={(e) => setTerms(e.currentTarget.checked)}
            error={termsError}
          />
          <Button type="submit" loading={form.submitting} fullWidth>
            {t('auth.signUp')}
          </Button>
        </Stack>
      </form>
      <GoogleButton />
      <FooterLink
        text={t('auth.haveAccount')}
        link={<Link to="/signin">{t('auth.signIn')}</Link>}
      />
    </AuthCard>
  );
}
