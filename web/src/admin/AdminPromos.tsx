import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { formatDateTime } from '../components/format';
import { useServerForm } from '../components/useServerForm';
import { ActiveBadge, DataTable } from './DataTable';
import { downloadCsv } from '../components/download';
import { FormFooter } from './FormFooter';
import { useRowAction } from './useAdminList';
import { useKeysetList } from './useKeysetList';

type Promo = Schemas['PromoCodeDto'];

const LIST = ['admin', 'promo-codes'];

export function AdminPromos() {
  const { t } = useTranslation();
  const list = useKeysetList(LIST, (cursor) =>
    unwrap(hub.GET('/api/admin/promo-codes', { params: { query: { cursor } } })),
  );
  const toggle = useRowAction(LIST, (p: Promo) =>
    unwrap(
      hub.PATCH('/api/admin/promo-codes/{id}', {
        params: { path: { id: p.id } },
        body: { active: !p.active },
      }),
    ),
  );
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <PromoForm batch={false} />
        <PromoForm batch />
      </SimpleGrid>
      {toggle.isError && <Alert color="red">{toggle.error.message}</Alert>}
      <DataTable
        label={t('admin.sections.promo-codes')}
        testId="admin-promos"
        {...list}
        rowKey={(p) => p.id}
        columns={[
          { label: t('dashboard.promoCode'), render: (p) => p.code },
          { label: t('dashboard.amount'), render: (p) => p.amount, align: 'right' },
          {
            label: t('admin.redemptions'),
            render: (p) => `${p.redemption_count} / ${p.max_redemptions}`,
            align: 'right',
          },
          { label: t('admin.expires'), render: (p) => formatDateTime(p.expires_at) },
          {
            label: t('admin.status'),
            render: (p) => <ActiveBadge active={p.active} inactiveLabel={t('admin.inactive')} />,
          },
          {
            label: '',
            render: (p) => (
              <Button size="xs" variant="subtle" onClick={() => toggle.mutate(p)}>
                {p.active ? t('admin.deactivate') : t('admin.activate')}
              </Button>
            ),
          },
        ]}
      />
    </Stack>
  );
}

function PromoForm({ batch }: { batch: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const [amount, setAmount] = useState('');
  const [max, setMax] = useState<number>(batch ? 1 : 100);
  const [count, setCount] = useState<number>(100);
  const [done, setDone] = useState<string | null>(null);
  const form = useServerForm(['code', 'amount', 'max_redemptions', 'count', 'prefix'] as const);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setDone(null);
    await form.run(async () => {
      if (batch) {
        const body = { count, prefix: code.trim() || undefined, amount, max_redemptions: max };
        const error = await downloadCsv('promo-codes.csv', () =>
          hub.POST('/api/admin/promo-codes/batch', {
            params: { query: { format: 'csv' }, header: { accept: 'text/csv' } },
            body,
            parseAs: 'blob',
          }),
        );
        if (error) throw new Error(error);
        setDone(t('admin.batchDone', { count }));
      } else {
        const promo = await unwrap(
          hub.POST('/api/admin/promo-codes', {
            body: { code: code.trim() || undefined, amount, max_redemptions: max },
          }),
        );
        setDone(promo.code);
      }
      await client.invalidateQueries({ queryKey: LIST });
    });
  };
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb="sm">
        {batch ? t('admin.promoBatch') : t('admin.promoCreate')}
      </Title>
      <form onSubmit={submit} noValidate data-testid={batch ? 'promo-batch' : 'promo-create'}>
        <Stack gap="xs">
          <TextInput
            label={batch ? t('admin.prefix') : t('dashboard.promoCode')}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={form.errors.code ?? form.errors.prefix}
          />
          <Group grow>
            <TextInput
              label={t('admin.amount')}
              required
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value)}
              error={form.errors.amount}
            />
            <NumberInput
              label={t('admin.maxRedemptions')}
              min={1}
              value={max}
              onChange={(v) => setMax(Number(v) || 1)}
              error={form.errors.max_redemptions}
            />
            {batch && (
              <NumberInput
                label={t('admin.count')}
                min={1}
                max={1000}
                value={count}
                onChange={(v) => setCount(Number(v) || 1)}
                error={form.errors.count}
              />
            )}
          </Group>
          <FormFooter
            form={form}
            submitLabel={batch ? t('admin.createAndDownload') : t('admin.create')}
          >
            {done && (
              <Text size="sm" role="status">
                {done}
              </Text>
            )}
          </FormFooter>
        </Stack>
      </form>
    </Card>
  );
}
