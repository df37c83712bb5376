import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { activityParams, LEDGER_TYPES } from '../components/ActivityTable';
import { formatDateTime } from '../components/format';
import { CreditForm } from './CreditForm';
import { DataTable } from './DataTable';
import { downloadCsv } from './download';
import { useKeysetList } from './useKeysetList';
import { DateRange } from '../components/DateRange';

interface LedgerRow {
  id: string;
  user_id: string;
  type: string;
  service: string | null;
  amount: string;
  balance_after: string;
  created_at: string;
}

const REFUNDABLE = new Set(['deduct', 'chat']);

export function AdminTransactions() {
  const { t } = useTranslation();
  const [user, setUser] = useState('');
  const [type, setType] = useState<string | null>(null);
  const [service, setService] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [refunding, setRefunding] = useState<LedgerRow | null>(null);
  const [csv, setCsv] = useState<{ busy: boolean; error: string | null }>({
    busy: false,
    error: null,
  });
  const params = activityParams({ type, service, from, to });
  if (user.trim()) params.set('user_id', user.trim());
  const filter = Object.fromEntries(params);
  const list = useKeysetList<LedgerRow>('/api/admin/transactions', filter);

  const exportCsv = async () => {
    setCsv({ busy: true, error: null });
    const error = await downloadCsv(
      `/api/admin/transactions?${new URLSearchParams({ ...filter, format: 'csv' })}`,
      'transactions.csv',
    );
    setCsv({ busy: false, error });
  };

  return (
    <Stack>
      <Group align="flex-end" gap="xs">
        <TextInput
          label={t('admin.userId')}
          value={user}
          onChange={(e) => setUser(e.currentTarget.value)}
          w={300}
        />
        <Select
          label={t('dashboard.type')}
          placeholder={t('dashboard.anyType')}
          data={LEDGER_TYPES}
          clearable
          value={type}
          onChange={setType}
          w={150}
        />
        <TextInput
          label={t('dashboard.service')}
          value={service}
          onChange={(e) => setService(e.currentTarget.value)}
          w={160}
        />
        <DateRange
          from={from}
          to={to}
          onFrom={(value) => setFrom(value)}
          onTo={(value) => setTo(value)}
        />
        <Button variant="default" loading={csv.busy} onClick={() => void exportCsv()}>
          {t('dashboard.csv')}
        </Button>
      </Group>
      {csv.error && <Alert color="red">{csv.error}</Alert>}
      <DataTable
        label={t('admin.sections.transactions')}
        testId="admin-transactions"
        {...list}
        rowKey={(r) => r.id}
        columns={[
          { label: t('dashboard.when'), render: (r) => formatDateTime(r.created_at) },
          { label: t('admin.user'), render: (r) => r.user_id.slice(0, 8) },
          { label: t('dashboard.type'), render: (r) => r.type },
          { label: t('dashboard.service'), render: (r) => r.service ?? '–' },
          { label: t('dashboard.amount'), render: (r) => r.amount, align: 'right' },
          { label: t('dashboard.balanceAfter'), render: (r) => r.balance_after, align: 'right' },
          {
            label: '',
            render: (r) =>
              REFUNDABLE.has(r.type) ? (
                <Button size="xs" variant="subtle" onClick={() => setRefunding(r)}>
                  {t('admin.refund')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        opened={refunding !== null}
        onClose={() => setRefunding(null)}
        title={t('admin.refund')}
      >
        {refunding && (
          <CreditForm
            kind="refund"
            amountOptional
            path={`/api/admin/transactions/${refunding.id}/refund`}
            invalidate={[['admin', '/api/admin/transactions']]}
          />
        )}
      </Modal>
    </Stack>
  );
}
