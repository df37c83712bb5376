import {
  Alert,
  Button,
  Card,
  Group,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { queryClient } from '../api/query';
import { session, type SignedOutNotice } from '../api/session';
import { ConfirmButton } from '../components/ConfirmModal';
import { Loading } from '../components/Loading';
import { NewPasswordField } from '../components/AuthFields';
import { useServerForm } from '../components/useServerForm';

type Account = Schemas['AccountDto'];

const KEY = ['account'] as const;

export default function ProfilePage() {
  const { t } = useTranslation();
  const account = useQuery({ queryKey: KEY, queryFn: () => unwrap(hub.GET('/api/account')) });
  if (account.isPending) return <Loading />;
  if (account.isError) {
    return (
      <Alert color="red" role="alert">
        {account.error.message}
      </Alert>
    );
  }
  return (
    <Stack maw={640}>
      <Title order={1}>{t('profile.title')}</Title>
      <NameCard account={account.data} />
      <PasswordCard account={account.data} />
      <GoogleCard account={account.data} />
      <EverywhereCard />
    </Stack>
  );
}

/** After every login has ended server-side, this tab is signed out too (RequireAuth redirects). */
function endThisTab(notice: SignedOutNotice) {
  session.signedOut(notice);
  queryClient.clear();
}

function NameCard({ account }: { account: Account }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState(account.name);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['name'] as const);
  useEffect(() => setName(account.name), [account.name]);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const ok = await form.run(async () => {
      const updated = await unwrap(hub.PATCH('/api/account', { body: { name } }));
      client.setQueryData(KEY, updated);
      session.updateUser({ name: updated.name });
    });
    setSaved(ok);
  };
  return (
    <Card withBorder padding="lg" radius="md">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm" c="dimmed">
            {account.email}
          </Text>
          <TextInput
            label={t('profile.name')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name ?? form.formError}
          />
          <Group>
            <Button type="submit" loading={form.submitting}>
              {t('common.save')}
            </Button>
            {saved && (
              <Text c="teal.9" role="status">
                {t('profile.saved')}
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PasswordCard({ account }: { account: Account }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const form = useServerForm(['current_password', 'new_password', 'password'] as const);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const ok = await form.run(() =>
      unwrap(
        hub.POST('/api/account/password', {
          body: {
            ...(account.has_password ? { current_password: current } : {}),
            new_password: next,
          },
        }),
      ),
    );
    if (ok) endThisTab('changed');
  };
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h3" mb="sm">
        {t('profile.password')}
      </Title>
      {form.formError && (
        <Alert color="red" role="alert" mb="sm">
          {form.formError}
        </Alert>
      )}
      <form onSubmit={submit} noValidate>
        <Stack>
          {account.has_password && (
            <PasswordInput
              label={t('profile.currentPassword')}
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              error={form.errors.current_password}
            />
          )}
          <NewPasswordField
            label={t('profile.newPassword')}
            value={next}
            onChange={setNext}
            error={form.errors.new_password ?? form.errors.password}
            email={account.email}
          />
          <Group>
            <Button type="submit" loading={form.submitting} disabled={!next}>
              {account.has_password ? t('profile.change') : t('profile.setPassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function GoogleCard({ account }: { account: Account }) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h3" mb="sm">
        {t('profile.google')}
      </Title>
      {account.google_linked ? (
        <Text data-testid="google-linked">✓ {t('profile.googleLinked')}</Text>
      ) : (
        <Stack align="flex-start">
          <Text>{t('profile.googleNotLinked', { email: account.email })}</Text>
          <Button component="a" href="/auth/google" variant="default">
            {t('profile.linkGoogle')}
          </Button>
        </Stack>
      )}
    </Card>
  );
}

/** Ends every login of the account, this tab's too, after a confirmation. */
function EverywhereCard() {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="lg" radius="md">
      <Title order={2} size="h3" mb="sm">
        {t('profile.everywhere')}
      </Title>
      <Text mb="sm">{t('profile.everywhereHelp')}</Text>
      <ConfirmButton
        label={t('profile.everywhere')}
        message={t('profile.everywhereConfirm')}
        action={() => unwrap(hub.POST('/api/account/sign-out-everywhere'))}
        onDone={() => endThisTab('signedOutEverywhere')}
      />
    </Card>
  );
}
