import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { hub, unwrap, type Schemas } from '../api/client';
import { formatCredits, formatDateTime } from '../components/format';
import { Loading } from '../components/Loading';
import { AUDIT_KEY, AuditTable } from './AdminAudit';
import { ConfirmButton, ConfirmModal } from '../components/ConfirmModal';
import { CreditForm } from './CreditForm';
import { DataTable, RevokeButton } from './DataTable';
import { useKeysetList } from './useKeysetList';

export function AdminUsersList() {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const users = useKeysetList(['admin', 'users', debounced], (cursor) =>
    unwrap(
      hub.GET('/api/admin/users', {
        params: { query: { search: debounced || undefined, cursor } },
      }),
    ),
  );
  return (
    <Stack>
      <TextInput
        label={t('admin.searchUsers')}
        type="search"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={360}
      />
      <DataTable
        label={t('admin.sections.users')}
        testId="admin-users"
        {...users}
        rowKey={(u) => u.id}
        columns={[
          {
            label: t('auth.email'),
            render: (u) => (
              <Anchor component={Link} to={`/admin/users/${u.id}`}>
                {u.email}
              </Anchor>
            ),
          },
          { label: t('auth.name'), render: (u) => u.name },
          { label: t('admin.role'), render: (u) => u.role },
          { label: t('admin.status'), render: (u) => <StatusBadge status={u.status} /> },
          { label: t('services.created'), render: (u) => formatDateTime(u.created_at) },
        ]}
      />
    </Stack>
  );
}

function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={status === 'active' ? 'teal.9' : 'red.9'} variant="filled">
      {status}
    </Badge>
  );
}

type Change = Schemas['UpdateUserDto'];

export function AdminUserPage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const client = useQueryClient();
  const [confirm, setConfirm] = useState<Change | null>(null);
  const detail = useQuery({
    queryKey: ['admin', 'user', id],
    queryFn: () => unwrap(hub.GET('/api/admin/users/{id}', { params: { path: { id } } })),
  });
  const credits = useQuery({
    queryKey: ['admin', 'user', id, 'credits'],
    queryFn: () => unwrap(hub.GET('/api/admin/users/{id}/credits', { params: { path: { id } } })),
  });
  const sessions = useQuery({
    queryKey: ['admin', 'user', id, 'sessions'],
    queryFn: () => unwrap(hub.GET('/api/admin/users/{id}/sessions', { params: { path: { id } } })),
  });
  // Every change here is audited: the user's data and their audit trail go stale together.
  const stale = [['admin', 'user', id], AUDIT_KEY];
  const refresh = () =>
    Promise.all(stale.map((queryKey) => client.invalidateQueries({ queryKey })));
  const change = useMutation({
    mutationFn: (body: Change) =>
      unwrap(hub.PATCH('/api/admin/users/{id}', { params: { path: { id } }, body })),
    onSuccess: () => {
      setConfirm(null);
      void refresh();
    },
  });

  if (detail.isPending) return <Loading />;
  if (detail.isError) {
    return (
      <Alert color="red" role="alert">
        {detail.error.message}
      </Alert>
    );
  }
  const user = detail.data;
  const c = credits.data ?? user.credits;
  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={2}>{user.email}</Title>
          <Text c="dimmed">
            {user.name} · {user.role} · <StatusBadge status={user.status} />
          </Text>
          <Text size="sm" c="dimmed">
            {t('admin.lastActivity')}: {formatDateTime(user.last_activity_at, i18n.language)}
          </Text>
        </div>
        <Group>
          <Button
            color={user.status === 'active' ? 'red' : 'teal'}
            variant="light"
            onClick={() => setConfirm({ status: user.status === 'active' ? 'disabled' : 'active' })}
          >
            {user.status === 'active' ? t('admin.disable') : t('admin.enable')}
          </Button>
          <Button
            variant="default"
            onClick={() => setConfirm({ role: user.role === 'admin' ? 'user' : 'admin' })}
          >
            {user.role === 'admin' ? t('admin.makeUser') : t('admin.makeAdmin')}
          </Button>
        </Group>
      </Group>

      <ConfirmModal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        message={
          confirm?.status === 'disabled'
            ? t('admin.confirmDisable', { email: user.email })
            : confirm?.status === 'active'
              ? t('admin.confirmEnable', { email: user.email })
              : t('admin.confirmRole', { email: user.email, role: confirm?.role })
        }
        error={change.error}
        pending={change.isPending}
        onConfirm={() => confirm && change.mutate(confirm)}
        confirmLabel={t('admin.confirm')}
      />

      <SimpleGrid cols={{ base: 1, xs: 3 }}>
        {(['balance', 'available', 'held'] as const).map((k) => (
          <Card withBorder key={k}>
            <Text size="sm" c="dimmed">
              {t(`dashboard.${k}`)}
            </Text>
            <Text fz={24} fw={700} data-testid={`admin-credits-${k}`}>
              {formatCredits(c[k], i18n.language)}
            </Text>
          </Card>
        ))}
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={3} size="h4" mb="sm">
            {t('admin.top-up')}
          </Title>
          <CreditForm
            kind="top-up"
            send={(body, key) =>
              hub.POST('/api/admin/users/{id}/credits/top-up', {
                params: { path: { id }, header: { 'Idempotency-Key': key } },
                body: { amount: body.amount ?? '', reason: body.reason },
              })
            }
            invalidate={stale}
          />
        </Card>
        <Card withBorder>
          <Title order={3} size="h4" mb="sm">
            {t('admin.adjust')}
          </Title>
          <CreditForm
            kind="adjust"
            send={(body, key) =>
              hub.POST('/api/admin/users/{id}/credits/adjust', {
                params: { path: { id }, header: { 'Idempotency-Key': key } },
                body: { amount: body.amount ?? '', reason: body.reason },
              })
            }
            invalidate={stale}
          />
        </Card>
      </SimpleGrid>

      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t('admin.holds')}
        </Title>
        <DataTable
          label={t('admin.holds')}
          rows={credits.data?.active_holds}
          loading={credits.isPending}
          error={credits.error}
          rowKey={(h) => h.hold_id}
          columns={[
            { label: t('dashboard.service'), render: (h) => h.service },
            { label: t('dashboard.amount'), render: (h) => h.amount, align: 'right' },
            { label: t('admin.expires'), render: (h) => formatDateTime(h.expires_at) },
          ]}
        />
      </Card>

      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t('dashboard.activity')}
        </Title>
        <DataTable
          label={t('dashboard.activity')}
          testId="admin-user-ledger"
          rows={credits.data?.recent_transactions}
          loading={credits.isPending}
          error={credits.error}
          rowKey={(r) => r.id}
          columns={[
            { label: t('dashboard.when'), render: (r) => formatDateTime(r.created_at) },
            { label: t('dashboard.type'), render: (r) => r.type },
            { label: t('dashboard.service'), render: (r) => r.service ?? '–' },
            { label: t('dashboard.amount'), render: (r) => r.amount, align: 'right' },
            { label: t('dashboard.balanceAfter'), render: (r) => r.balance_after, align: 'right' },
          ]}
        />
      </Card>

      <Card withBorder>
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h4">
            {t('services.title')}
          </Title>
          <ConfirmButton
            compact
            label={t('services.revokeAll')}
            message={t('admin.confirmRevokeAllSessions', { email: user.email })}
            action={() =>
              unwrap(hub.DELETE('/api/admin/users/{id}/sessions', { params: { path: { id } } }))
            }
            onDone={refresh}
          />
        </Group>
        <DataTable
          label={t('services.title')}
          rows={sessions.data}
          loading={sessions.isPending}
          error={sessions.error}
          rowKey={(s) => s.id}
          columns={[
            { label: t('services.service'), render: (s) => s.client_name ?? '–' },
            { label: t('services.created'), render: (s) => formatDateTime(s.created_at) },
            { label: t('services.lastUsed'), render: (s) => formatDateTime(s.last_used_at) },
            { label: t('services.ip'), render: (s) => s.ip ?? '–' },
            {
              label: '',
              render: (s) => (
                <RevokeButton
                  message={t('admin.confirmRevokeSession', {
                    service: s.client_name ?? t('services.service'),
                  })}
                  revoke={() =>
                    unwrap(
                      hub.DELETE('/api/admin/sessions/{id}', { params: { path: { id: s.id } } }),
                    )
                  }
                  onDone={refresh}
                />
              ),
            },
          ]}
        />
      </Card>

      <Card withBorder>
        <Title order={3} size="h4" mb="sm">
          {t('admin.audit')}
        </Title>
        <AuditTable filter={{ target_id: id }} />
      </Card>
    </Stack>
  );
}
