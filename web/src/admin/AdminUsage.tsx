import { Alert, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { hub, unwrap, type Schemas } from '../api/client';
import { formatCredits } from '../components/format';
import { Loading } from '../components/Loading';
import { DateRange } from '../components/DateRange';

type UsageRow = Schemas['UsageRowDto'];

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Totals of a usage answer, as the API's own rows add up. */
export function usageTotals(rows: UsageRow[]) {
  return rows.reduce(
    (sum, r) => ({
      spent: sum.spent + Number(r.credits_spent),
      added: sum.added + Number(r.credits_added),
      transactions: sum.transactions + r.transactions,
    }),
    { spent: 0, added: 0, transactions: 0 },
  );
}

export function AdminUsage() {
  const { t } = useTranslation();
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(isoDay(new Date(Date.now() + 86_400_000)));
  const range = { from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` };
  return (
    <Stack>
      <Group align="flex-end">
        <DateRange
          from={from}
          to={to}
          onFrom={(value) => setFrom(value)}
          onTo={(value) => setTo(value)}
        />
      </Group>
      <UsagePanel group="day" range={range} title={t('dashboard.byDay')} totals />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <UsagePanel group="service" range={range} title={t('dashboard.byService')} />
        <UsagePanel group="model" range={range} title={t('dashboard.byModel')} />
      </SimpleGrid>
      <UsagePanel group="user" range={range} title={t('admin.topUsers')} table />
    </Stack>
  );
}

function UsagePanel(props: {
  group: 'day' | 'service' | 'model' | 'user';
  range: { from: string; to: string };
  title: string;
  totals?: boolean;
  table?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const usage = useQuery({
    queryKey: ['admin', 'usage', props.group, props.range],
    queryFn: () =>
      unwrap(
        hub.GET('/api/admin/usage', {
          params: { query: { group_by: props.group, ...props.range } },
        }),
      ),
  });
  const rows = usage.data ?? [];
  const totals = usageTotals(rows);
  return (
    <Card withBorder data-testid={`admin-usage-${props.group}`}>
      <Title order={3} size="h4" mb="sm">
        {props.title}
      </Title>
      {usage.isPending ? (
        <Loading />
      ) : usage.isError ? (
        <Alert color="red">{usage.error.message}</Alert>
      ) : props.table ? (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('admin.user')}</Table.Th>
              <Table.Th ta="right">{t('dashboard.spent')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {[...rows]
              .sort((a, b) => Number(b.credits_spent) - Number(a.credits_spent))
              .slice(0, 10)
              .map((r) => (
                <Table.Tr key={r.key ?? '-'}>
                  <Table.Td>{r.key ?? '–'}</Table.Td>
                  <Table.Td ta="right">{formatCredits(r.credits_spent, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
      ) : (
        <div style={{ width: '100%', height: 220 }} role="img" aria-label={props.title}>
          <ResponsiveContainer>
            <BarChart
              data={rows.map((r) => ({ name: r.key ?? '–', spent: Number(r.credits_spent) }))}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" fontSize={12} />
              <YAxis fontSize={12} />
              <Tooltip />
              <Bar dataKey="spent" name={t('dashboard.spent')} fill="var(--mantine-color-blue-6)" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      {props.totals && usage.data && (
        <Text size="sm" mt="sm" data-testid="usage-totals">
          {t('admin.totals', {
            spent: formatCredits(totals.spent, i18n.language),
            added: formatCredits(totals.added, i18n.language),
            transactions: totals.transactions,
          })}
        </Text>
      )}
    </Card>
  );
}
