import { Badge, Card, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Loading } from '../components/Loading';

interface Readiness {
  status: string;
  info?: Record<string, { status: string; [k: string]: unknown }>;
  error?: Record<string, { status: string; message?: string }>;
  details?: Record<string, { status: string; message?: string }>;
}

/** /health/ready as the operator needs it: PostgreSQL and Redis, each up or down. */
export function AdminSystem() {
  const { t } = useTranslation();
  const ready = useQuery({
    queryKey: ['admin', 'health'],
    // 503 still carries the details of what failed.
    queryFn: async () => (await fetch('/health/ready')).json() as Promise<Readiness>,
    refetchInterval: 10_000,
  });
  if (ready.isPending) return <Loading />;
  const details = ready.data?.details ?? {};
  return (
    <Stack>
      <Card withBorder>
        <Group>
          <Text fw={700}>{t('admin.overall')}</Text>
          <Badge
            color={ready.data?.status === 'ok' ? 'teal.9' : 'red.9'}
            data-testid="health-overall"
          >
            {ready.data?.status ?? 'unknown'}
          </Badge>
        </Group>
      </Card>
      {Object.entries(details).map(([name, d]) => (
        <Card withBorder key={name}>
          <Group>
            <Text fw={700}>{name}</Text>
            <Badge color={d.status === 'up' ? 'teal.9' : 'red.9'}>{d.status}</Badge>
            {d.message && <Text size="sm">{d.message}</Text>}
          </Group>
        </Card>
      ))}
      <Text size="sm" c="dimmed">
        {t('admin.version', { version: __APP_VERSION__ })}
      </Text>
    </Stack>
  );
}
