import { Badge, Card, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { hub, type Schemas } from '../api/client';
import type { ErrorBody } from '../api/http';
import { Loading } from '../components/Loading';

type Checks = Schemas['ReadinessDto']['details'];

/** /health/ready as the operator needs it: PostgreSQL and Redis, each up or down. */
export function AdminSystem() {
  const { t } = useTranslation();
  const ready = useQuery({
    queryKey: ['admin', 'health'],
    queryFn: async (): Promise<{ status: string; details: Checks }> => {
      const { data, error } = await hub.GET('/health/ready');
      if (data) return { status: data.status, details: data.details };
      // 503: the error envelope names what failed, with every check (`checks`).
      const body = error as (ErrorBody & { checks?: Checks }) | undefined;
      return { status: 'error', details: body?.checks ?? {} };
    },
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
            {typeof d.message === 'string' && <Text size="sm">{d.message}</Text>}
          </Group>
        </Card>
      ))}
      <Text size="sm" c="dimmed">
        {t('admin.version', { version: __APP_VERSION__ })}
      </Text>
    </Stack>
  );
}
