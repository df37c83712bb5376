import { Alert, Anchor, Button, PasswordInput, Stack } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { session, SIGNED_OUT_NOTICES, useSession } from '../api/session';
import { EmailField } from '../components/AuthFields';
import { AuthCard, FooterLink, GoogleButton } from '../components/AuthCard';
import { safeNext } from '../components/RequireAuth';
import { useServerForm } from '../components/useServerForm';

/** Messages another page leaves for the sign-in page (`?notice=`). */
const NOTICES = ['verified', 'resetDone', ...SIGNED_OUT_NOTICES] as const;

export function SignInPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const state = useSession();
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const form = useServerForm(['email', 'password'] as const);
  const next = safeNext(params.get('next'));
  const notice = NOTICES.find((n) => n === params.get('notice'));

  if (state.status === 'signed-in') return <Navigate to={next} replace />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const ok = await form.run(() => session.login(email, password));
    if (ok) navigate(next, { replace: true });
  };

  return (
    <AuthCard title={t('auth.signInTitle')} error={form.formError}>
      {notice && (
        <Alert color="teal" role="status">
          {t(`auth.${notice}`)}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack>
          <EmailField value={email} onChange={setEmail} error={form.errors.email} />
          <PasswordInput
            label={t('auth.password')}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={form.errors.password}
          />
          <Anchor component={Link} to="/forgot-password" size="sm">
            {t('auth.forgot')}
          </Anchor>
          <Button type="submit" loading={form.submitting} fullWidth>
            {t('auth.signIn')}
          </Button>
        </Stack>
      </form>
      <GoogleButton />
      <FooterLink text={t('auth.noAccount')} link={<Link to="/signup">{t('auth.signUp')}</Link>} />
    </AuthCard>
  );
}
