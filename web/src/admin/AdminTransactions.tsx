import { Alert, Button, Group, Modal, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { activityParams, LEDGER_TYPES } from '../components/ActivityTable';
import { downloadCsv } from '../components/download';
import { formatDateTime } from '../components/format';
import { CreditForm } from './CreditForm';
import { DataTable } from './DataTable';
import { useKeysetList } from './useKeysetList';
import { DateRange } from '../components/DateRange';

type LedgerRow = Schemas['LedgerRowDto'];

/** Every page of the transactions list, whatever its filter. */
const TRANSACTIONS_KEY = ['admin', 'transactions'];

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
  const filter = {
    ...activityParams({ type, service, from, to }),
    ...(user.trim() ? { user_id: user.trim() } : {}),
  };
  const list = useKeysetList([...TRANSACTIONS_KEY, filter], (cursor) =>
    unwrap(hub.GET('/api/admin/transactions', { params: { query: { ...filter, cursor } } })),
  );

  const exportCsv = async () => {
    setCsv({ busy: true, error: null });
    const error = await downloadCsv('transactions.csv', () =>
      hub.GET('/api/admin/transactions', {
        params: { query: { ...filter, format: 'csv' } },
        headers: { Accept: 'text/csv' },
        parseAs: 'blob',
      }),
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
        closeButtonProps={{ 'aria-label': t('common.close') }}
        title={t('admin.refund')}
      >
        {refunding && (
          <CreditForm
            kind="refund"
            amountOptional
            send={(body, key) =>
              hub.POST('/api/admin/transactions/{id}/refund', {
                params: { path: { id: refunding.id }, header: { 'Idempotency-Key': key } },
                body,
              })
            }
            invalidate={[TRANSACTIONS_KEY]}
          />
        )}
      </Modal>
    </Stack>
  );
}
