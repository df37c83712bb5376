import { Alert, Button, Card, Group, Select, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { downloadCsv } from './download';
import { formatCredits, formatDateTime } from './format';
import { Loading } from './Loading';
import { ScrollTable } from './ScrollTable';
import { DateRange } from './DateRange';

type LedgerRow = Schemas['ActivityRowDto'];
export type LedgerType = LedgerRow['type'];

/** The ledger's row types (CREDIT_TRANSACTION_TYPES on the server). */
export const LEDGER_TYPES: LedgerType[] = [
  'signup',
  'deduct',
  'chat',
  'refund',
  'topup',
  'adjustment',
  'promo',
];

export interface ActivityFilter {
  type: string | null;
  service: string;
  from: string;
  to: string;
}

/** The query of a filter (only what is set): dates are whole days in the browser's time zone. */
export function activityParams(filter: ActivityFilter, cursor?: string) {
  const query: {
    type?: LedgerType;
    service?: string;
    from?: string;
    to?: string;
    cursor?: string;
  } = {};
  if (filter.type) query.type = filter.type as LedgerType;
  if (filter.service.trim()) query.service = filter.service.trim();
  if (filter.from) query.from = new Date(`${filter.from}T00:00:00`).toISOString();
  if (filter.to) {
    const end = new Date(`${filter.to}T00:00:00`);
    end.setDate(end.getDate() + 1);
    query.to = end.toISOString();
  }
  if (cursor) query.cursor = cursor;
  return query;
}

/** Search within the loaded rows: type, service, amount, id and metadata text. */
export function matchesSearch(
  row: Pick<LedgerRow, 'type' | 'service' | 'amount' | 'id' | 'metadata'>,
  search: string,
): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [row.type, row.service ?? '', row.amount, row.id, JSON.stringify(row.metadata ?? {})]
    .join(' ')
    .toLowerCase()
    .includes(needle);
}

export function ActivityTable() {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<ActivityFilter>({
    type: null,
    service: '',
    from: '',
    to: '',
  });
  const [search, setSearch] = useState('');
  const [csvError, setCsvError] = useState<string | null>(null);
  const rows = useInfiniteQuery({
    queryKey: ['credits', 'activity', filter],
    queryFn: ({ pageParam }) =>
      unwrap(
        hub.GET('/api/credits/activity', {
          params: { query: activityParams(filter, pageParam ?? undefined) },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const items = useMemo(
    () => (rows.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => matchesSearch(r, search)),
    [rows.data, search],
  );

  const download = async () => {
    setCsvError(null);
    setCsvError(
      await downloadCsv('my-credits.csv', () =>
        hub.GET('/api/credits/activity.csv', {
          params: { query: activityParams(filter) },
          parseAs: 'blob',
        }),
      ),
    );
  };

  return (
    <Card withBorder padding="lg" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3">
          {t('dashboard.activity')}
        </Title>
        <Button variant="default" size="xs" onClick={() => void download()}>
          {t('dashboard.csv')}
        </Button>
      </Group>
      <Group align="flex-end" gap="xs" mb="sm">
        <Select
          label={t('dashboard.type')}
          placeholder={t('dashboard.anyType')}
          data={LEDGER_TYPES}
          clearable
          value={filter.type}
          onChange={(type) => setFilter({ ...filter, type })}
          w={150}
        />
        <TextInput
          label={t('dashboard.service')}
          value={filter.service}
          onChange={(e) => setFilter({ ...filter, service: e.currentTarget.value })}
          w={150}
        />
        <DateRange
          from={filter.from}
          to={filter.to}
          onFrom={(value) => setFilter({ ...filter, from: value })}
          onTo={(value) => setFilter({ ...filter, to: value })}
        />
        <TextInput
          label={t('dashboard.search')}
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={180}
        />
      </Group>
      {csvError && <Alert color="red">{csvError}</Alert>}
      {rows.isPending ? (
        <Loading />
      ) : rows.isError ? (
        <Alert color="red" role="alert">
          {rows.error.message}
        </Alert>
      ) : items.length === 0 ? (
        <Text c="dimmed">{t('dashboard.noRows')}</Text>
      ) : (
        <ScrollTable label={t('dashboard.activity')} minWidth={560}>
          <Table striped data-testid="activity">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('dashboard.when')}</Table.Th>
                <Table.Th>{t('dashboard.type')}</Table.Th>
                <Table.Th>{t('dashboard.service')}</Table.Th>
                <Table.Th ta="right">{t('dashboard.amount')}</Table.Th>
                <Table.Th ta="right">{t('dashboard.balanceAfter')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td>{formatDateTime(row.created_at, i18n.language)}</Table.Td>
                  <Table.Td>{row.type}</Table.Td>
                  <Table.Td>{row.service ?? '–'}</Table.Td>
                  <Table.Td ta="right">{formatCredits(row.amount, i18n.language)}</Table.Td>
                  <Table.Td ta="right">{formatCredits(row.balance_after, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {rows.hasNextPage && (
        <Button
          mt="sm"
          variant="default"
          loading={rows.isFetchingNextPage}
          onClick={() => void rows.fetchNextPage()}
        >
          {t('dashboard.more')}
        </Button>
      )}
    </Card>
  );
}
