import { Card, Code, Radio, Stack, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { formatDateTime } from '../components/format';
import { useServerForm } from '../components/useServerForm';
import { ActiveBadge, DataTable, RevokeButton } from './DataTable';
import { FormFooter } from './FormFooter';
import { ScopeCheckboxes } from './ScopeCheckboxes';
import { SecretOnce } from './SecretOnce';
import { useAdminList } from './useAdminList';

type Scope = Schemas['CreateApiKeyDto']['scopes'][number];
type UserScope = Schemas['CreateApiKeyDto']['user_scope'];

const SCOPES: Scope[] = ['credits:check', 'credits:deduct', 'credits:refund', 'sessions:claim'];
const KEY = ['admin', 'api-keys'];

export function AdminKeys() {
  const { t } = useTranslation();
  const keys = useAdminList(KEY, () => unwrap(hub.GET('/api/admin/api-keys')));
  const client = useQueryClient();
  return (
    <Stack>
      <CreateKey />
      <DataTable
        label={t('admin.sections.keys')}
        testId="admin-keys"
        {...keys}
        rowKey={(k) => k.id}
        columns={[
          { label: t('admin.name'), render: (k) => k.name },
          { label: t('admin.prefix'), render: (k) => <Code>{k.prefix}…</Code> },
          { label: t('admin.scopes'), render: (k) => k.scopes.join(', ') },
          { label: t('admin.userScope'), render: (k) => k.user_scope },
          { label: t('services.lastUsed'), render: (k) => formatDateTime(k.last_used_at) },
          {
            label: t('admin.status'),
            render: (k) => <ActiveBadge active={!k.revoked_at} />,
          },
          {
            label: '',
            render: (k) =>
              !k.revoked_at && k.source !== 'env' ? (
                <RevokeButton
                  message={t('admin.confirmRevokeKey', { name: k.name })}
                  revoke={() =>
                    unwrap(
                      hub.DELETE('/api/admin/api-keys/{id}', { params: { path: { id: k.id } } }),
                    )
                  }
                  onDone={() => client.invalidateQueries({ queryKey: KEY })}
                />
              ) : null,
          },
        ]}
      />
    </Stack>
  );
}

function CreateKey() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['credits:check', 'credits:deduct']);
  const [userScope, setUserScope] = useState<UserScope>('granted');
  const [created, setCreated] = useState<string | null>(null);
  const form = useServerForm(['name', 'scopes'] as const);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setCreated(null);
    await form.run(async () => {
      const res = await unwrap(
        hub.POST('/api/admin/api-keys', {
          body: { name: name.trim(), scopes, user_scope: userScope },
        }),
      );
      setCreated(res.key);
      setName('');
      await client.invalidateQueries({ queryKey: KEY });
    });
  };
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {t('admin.createKey')}
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <TextInput
            label={t('admin.name')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name}
            maw={360}
          />
          <ScopeCheckboxes
            scopes={SCOPES}
            value={scopes}
            onChange={setScopes}
            error={form.errors.scopes}
          />
          <Radio.Group
            label={t('admin.userScope')}
            value={userScope}
            onChange={(value) => setUserScope(value as UserScope)}
          >
            <Stack gap={4} mt="xs">
              <Radio value="granted" label={t('admin.userScopeGranted')} />
              <Radio value="all" label={t('admin.userScopeAll')} />
            </Stack>
          </Radio.Group>
          <FormFooter form={form} submitLabel={t('admin.create')} />
        </Stack>
      </form>
      {created && (
        <SecretOnce
          secret={created}
          title={t('admin.keyOnce')}
          help={t('admin.keyOnceHelp')}
          testId="new-key"
        />
      )}
    </Card>
  );
}
