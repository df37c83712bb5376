import { Card, Group, Select, SimpleGrid, Stack, Switch, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { formatDateTime } from '../components/format';
import { useServerForm } from '../components/useServerForm';
import { CapFields } from './CapFields';
import { ActiveBadge, DataTable, RevokeButton } from './DataTable';
import { FormFooter } from './FormFooter';
import { ScopeCheckboxes } from './ScopeCheckboxes';
import { useAdminList } from './useAdminList';

type Grant = Schemas['GrantDto'];
type CreateGrant = Schemas['CreateGrantDto'];

const KEY = ['admin', 'grants'];
const GRANT_SCOPES = ['credits:read', 'credits:spend'];

/** Every user's grants (`/api/admin/grants`): find by user or app, grant, revoke. */
export function AdminGrants() {
  const { t } = useTranslation();
  const [userId, setUserId] = useState('');
  const [clientId, setClientId] = useState('');
  const [withRevoked, setWithRevoked] = useState(false);
  const query = {
    user_id: userId.trim() || undefined,
    client_id: clientId.trim() || undefined,
    include_revoked: withRevoked ? ('true' as const) : undefined,
  };
  const grants = useAdminList(
    [...KEY, query],
    async () => (await unwrap(hub.GET('/api/admin/grants', { params: { query } }))).items,
  );
  const client = useQueryClient();
  return (
    <Stack>
      <CreateGrantForm />
      <Group align="flex-end" gap="xs">
        <TextInput
          label={t('admin.userId')}
          value={userId}
          onChange={(e) => setUserId(e.currentTarget.value)}
          w={300}
        />
        <TextInput
          label={t('admin.clientId')}
          value={clientId}
          onChange={(e) => setClientId(e.currentTarget.value)}
          w={200}
        />
        <Switch
          label={t('admin.withRevoked')}
          checked={withRevoked}
          onChange={(e) => setWithRevoked(e.currentTarget.checked)}
        />
      </Group>
      <DataTable<Grant>
        label={t('admin.sections.grants')}
        testId="admin-grants"
        {...grants}
        rowKey={(g) => g.id}
        columns={[
          { label: t('admin.user'), render: (g) => g.user_id.slice(0, 8) },
          { label: t('admin.app'), render: (g) => `${g.client_name} (${g.client_type})` },
          { label: t('admin.scopes'), render: (g) => g.scopes.join(', ') },
          {
            label: t('apps.cap'),
            render: (g) => (g.period_cap === null ? '–' : `${g.period_cap} / ${g.period}`),
            align: 'right',
          },
          { label: t('admin.spentPeriod'), render: (g) => g.spent_this_period, align: 'right' },
          { label: t('services.lastUsed'), render: (g) => formatDateTime(g.last_used_at) },
          {
            label: t('admin.status'),
            render: (g) => <ActiveBadge active={!g.revoked_at} />,
          },
          {
            label: '',
            render: (g) =>
              g.revoked_at ? null : (
                <RevokeButton
                  message={t('admin.confirmRevokeGrant', { app: g.client_name })}
                  revoke={() =>
                    unwrap(hub.DELETE('/api/admin/grants/{id}', { params: { path: { id: g.id } } }))
                  }
                  onDone={() => client.invalidateQueries({ queryKey: KEY })}
                />
              ),
          },
        ]}
      />
    </Stack>
  );
}

/** Grants an app (integration key name or OAuth client) spending for one user. */
function CreateGrantForm() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [grant, setGrant] = useState<CreateGrant>({
    user_id: '',
    client_type: 'integration',
    client_id: '',
    scopes: [...GRANT_SCOPES],
    period: 'day',
    period_cap: '',
  });
  const [done, setDone] = useState(false);
  const form = useServerForm(['user_id', 'client_id', 'scopes', 'period_cap', 'period'] as const);
  const set = (fields: Partial<CreateGrant>) => setGrant({ ...grant, ...fields });
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setDone(false);
    const created = await form.run(async () => {
      await unwrap(
        hub.POST('/api/admin/grants', {
          body: {
            ...grant,
            user_id: grant.user_id.trim(),
            client_id: grant.client_id.trim(),
            period_cap: grant.period_cap?.trim() || null,
          },
        }),
      );
      await client.invalidateQueries({ queryKey: KEY });
    });
    setDone(created);
  };
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {t('admin.createGrant')}
      </Title>
      <form onSubmit={submit} noValidate data-testid="grant-create">
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label={t('admin.userId')}
              required
              value={grant.user_id}
              onChange={(e) => set({ user_id: e.currentTarget.value })}
              error={form.errors.user_id}
            />
            <Select
              label={t('admin.clientType')}
              data={[
                { value: 'integration', label: t('apps.kind.integration') },
                { value: 'oauth', label: 'OAuth' },
              ]}
              value={grant.client_type}
              allowDeselect={false}
              onChange={(v) => v && set({ client_type: v as CreateGrant['client_type'] })}
            />
            <TextInput
              label={t('admin.clientId')}
              description={t('admin.clientIdHelp')}
              required
              value={grant.client_id}
              onChange={(e) => set({ client_id: e.currentTarget.value })}
              error={form.errors.client_id}
            />
          </SimpleGrid>
          <ScopeCheckboxes
            scopes={GRANT_SCOPES}
            value={grant.scopes}
            onChange={(scopes) => set({ scopes })}
            error={form.errors.scopes}
          />
          <CapFields
            label={t('apps.capLabel')}
            cap={grant.period_cap ?? ''}
            period={grant.period ?? 'day'}
            error={form.errors.period_cap}
            onChange={(c) =>
              set({
                ...(c.cap !== undefined && { period_cap: c.cap }),
                ...(c.period && { period: c.period }),
              })
            }
          />
          <FormFooter form={form} submitLabel={t('admin.grant')}>
            {done && <span role="status">✓</span>}
          </FormFooter>
        </Stack>
      </form>
    </Card>
  );
}
