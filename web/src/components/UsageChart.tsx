import { Alert, Card, Group, SegmentedControl, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { hub, unwrap, type Schemas } from '../api/client';
import { Loading } from './Loading';

type UsageRow = Schemas['MyUsageRowDto'];

type Grouping = 'day' | 'service' | 'model';
type Days = 7 | 30 | 90;

function useUsage(days: string, group: Grouping) {
  return useQuery({
    queryKey: ['credits', 'usage', days, group],
    queryFn: () =>
      unwrap(
        hub.GET('/api/credits/usage', {
          params: { query: { days: Number(days) as Days, group_by: group } },
        }),
      ),
  });
}

/** Spent credits per row of a usage answer, for a chart. */
export function toChartData(rows: UsageRow[]): { name: string; spent: number }[] {
  return rows.map((r) => ({ name: r.key ?? '–', spent: Number(r.credits_spent) }));
}

export default function UsageChart() {
  const { t } = useTranslation();
  const [days, setDays] = useState('30');
  return (
    <Card withBorder padding="lg" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3">
          {t('dashboard.usage')}
        </Title>
        <SegmentedControl
          aria-label={t('dashboard.usage')}
          value={days}
          onChange={setDays}
          data={['7', '30', '90'].map((n) => ({ value: n, label: t('dashboard.days', { n }) }))}
        />
      </Group>
      <UsagePanel days={days} group="day" title={t('dashboard.byDay')} />
      <SimpleGrid cols={{ base: 1, md: 2 }} mt="md">
        <UsagePanel days={days} group="service" title={t('dashboard.byService')} />
        <UsagePanel days={days} group="model" title={t('dashboard.byModel')} />
      </SimpleGrid>
    </Card>
  );
}

function UsagePanel({ days, group, title }: { days: string; group: Grouping; title: string }) {
  const { t } = useTranslation();
  const usage = useUsage(days, group);
  const data = usage.data ? toChartData(usage.data) : [];
  return (
    <div data-testid={`usage-${group}`}>
      <Text fw={600} mb="xs">
        {title}
      </Text>
      {usage.isPending ? (
        <Loading />
      ) : usage.isError ? (
        <Alert color="red">{usage.error.message}</Alert>
      ) : data.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('dashboard.noUsage')}
        </Text>
      ) : (
        <div style={{ width: '100%', height: 220 }} role="img" aria-label={title}>
          <ResponsiveContainer>
            <BarChart data={data}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" fontSize={12} />
              <YAxis fontSize={12} />
              <Tooltip />
              <Bar dataKey="spent" name={t('dashboard.spent')} fill="var(--mantine-color-blue-6)" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}
