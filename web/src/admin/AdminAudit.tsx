import { Code, Group, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap } from '../api/client';
import { formatDateTime } from '../components/format';
import { DataTable } from './DataTable';
import { setOnly, useKeysetList } from './useKeysetList';
import { DateRange } from '../components/DateRange';

/** Every page of the audit log, whatever its filter: what a mutation makes stale. */
export const AUDIT_KEY = ['admin', 'audit-log'];

interface AuditFilter {
  actor?: string;
  action?: string;
  target_id?: string;
  from?: string;
  to?: string;
  [key: string]: string | undefined;
}

export function AuditTable({ filter }: { filter: AuditFilter }) {
  const { t } = useTranslation();
  const list = useKeysetList([...AUDIT_KEY, filter], (cursor) =>
    unwrap(hub.GET('/api/admin/audit-log', { params: { query: { ...setOnly(filter), cursor } } })),
  );
  return (
    <DataTable
      label={t('admin.sections.audit')}
      testId="audit"
      {...list}
      rowKey={(r) => r.id}
      columns={[
        { label: t('dashboard.when'), render: (r) => formatDateTime(r.created_at) },
        { label: t('admin.actor'), render: (r) => `${r.actor_type} ${r.actor_id ?? ''}` },
        { label: t('admin.action'), render: (r) => r.action },
        { label: t('admin.target'), render: (r) => `${r.target_type} ${r.target_id ?? ''}` },
        {
          label: t('admin.change'),
          render: (r) => (
            <Code block style={{ maxWidth: 360, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {JSON.stringify({ before: r.before, after: r.after })}
            </Code>
          ),
        },
      ]}
    />
  );
}

export function AdminAudit() {
  const { t } = useTranslation();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  return (
    <Stack>
      <Group align="flex-end" gap="xs">
        <TextInput
          label={t('admin.actor')}
          value={actor}
          onChange={(e) => setActor(e.currentTarget.value)}
        />
        <TextInput
          label={t('admin.action')}
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
        />
        <TextInput
          label={t('admin.target')}
          value={target}
          onChange={(e) => setTarget(e.currentTarget.value)}
        />
        <DateRange
          from={from}
          to={to}
          onFrom={(value) => setFrom(value)}
          onTo={(value) => setTo(value)}
        />
      </Group>
      <AuditTable
        filter={{
          actor: actor.trim() || undefined,
          action: action.trim() || undefined,
          target_id: target.trim() || undefined,
          from: from ? new Date(`${from}T00:00:00`).toISOString() : undefined,
          to: to ? new Date(`${to}T23:59:59.999`).toISOString() : undefined,
        }}
      />
    </Stack>
  );
}
