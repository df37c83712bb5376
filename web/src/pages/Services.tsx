import { Alert, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { ConfirmButton } from '../components/ConfirmModal';
import { formatDateTime } from '../components/format';
import { Loading } from '../components/Loading';
import { ScrollTable } from '../components/ScrollTable';
import { ConnectedApps } from './ConnectedApps';

type SessionView = Schemas['SessionViewDto'];

const KEY = ['sessions'] as const;

/** A short device name from a User-Agent string. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return '–';
  const browser = /(Edg|Chrome|Firefox|Safari)\/[\d.]+/.exec(userAgent)?.[1];
  const os = /(Windows|Android|iPhone|iPad|Mac OS X|Linux)/.exec(userAgent)?.[1];
  if (!browser && !os) return userAgent.slice(0, 40);
  return [browser === 'Edg' ? 'Edge' : browser, os?.replace('Mac OS X', 'macOS')]
    .filter(Boolean)
    .join(' · ');
}

export default function ServicesPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const sessions = useQuery({
    queryKey: KEY,
    queryFn: () => unwrap(hub.GET('/api/auth/sessions')),
  });
  const revoke = useMutation({
    mutationFn: (id: string) =>
      unwrap(hub.DELETE('/api/auth/sessions/{id}', { params: { path: { id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: KEY }),
  });
  const serviceName = (s: SessionView) =>
    s.kind === 'login' ? t('services.login') : (s.client_name ?? s.return_to ?? '–');

  return (
    <Stack>
      <Title order={1}>{t('services.title')}</Title>
      <Text>{t('services.help')}</Text>
      <Card withBorder padding="lg" radius="md">
        {revoke.isError && (
          <Alert color="red" role="alert" mb="sm">
            {revoke.error.message}
          </Alert>
        )}
        {sessions.isPending ? (
          <Loading />
        ) : sessions.isError ? (
          <Alert color="red" role="alert">
            {sessions.error.message}
          </Alert>
        ) : sessions.data.length === 0 ? (
          <Text c="dimmed">{t('services.none')}</Text>
        ) : (
          <>
            <ScrollTable label={t('services.title')} minWidth={640}>
              <Table striped data-testid="sessions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('services.service')}</Table.Th>
                    <Table.Th>{t('services.created')}</Table.Th>
                    <Table.Th>{t('services.lastUsed')}</Table.Th>
                    <Table.Th>{t('services.ip')}</Table.Th>
                    <Table.Th>{t('services.device')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {sessions.data.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td>{serviceName(s)}</Table.Td>
                      <Table.Td>{formatDateTime(s.created_at, i18n.language)}</Table.Td>
                      <Table.Td>{formatDateTime(s.last_used_at, i18n.language)}</Table.Td>
                      <Table.Td>{s.ip ?? '–'}</Table.Td>
                      <Table.Td>{deviceName(s.user_agent)}</Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          loading={revoke.isPending && revoke.variables === s.id}
                          onClick={() => revoke.mutate(s.id)}
                          aria-label={`${t('services.revoke')} ${serviceName(s)}`}
                        >
                          {t('services.revoke')}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
            <Group mt="md">
              <ConfirmButton
                label={t('services.revokeAll')}
                message={t('services.revokeAllConfirm')}
                action={() => unwrap(hub.DELETE('/api/auth/sessions'))}
                onDone={() => client.invalidateQueries({ queryKey: KEY })}
              />
            </Group>
          </>
        )}
      </Card>
      <ConnectedApps />
    </Stack>
  );
}
