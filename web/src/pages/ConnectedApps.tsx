import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, unwrap, type Schemas } from '../api/client';
import { formatCredits, formatDateTime } from '../components/format';
import { Loading } from '../components/Loading';
import { useServerForm } from '../components/useServerForm';

type Grant = Schemas['GrantDto'];
type Period = Grant['period'];

export const GRANTS_KEY = ['grants'] as const;

/** What a scope lets the app do, in the user's words (i18next keys; a colon would be a namespace). */
const SCOPE_KEYS: Record<string, string> = {
  'credits:read': 'apps.scopeRead',
  'credits:spend': 'apps.scopeSpend',
};

/** How much of the period's cap is spent (held credits count: they are promised), 0–100. */
export function capUsedPercent(grant: Pick<Grant, 'period_cap' | 'spent_this_period' | 'held'>) {
  if (grant.period_cap === null) return null;
  const cap = Number(grant.period_cap);
  const used = Number(grant.spent_this_period) + Number(grant.held);
  if (cap <= 0) return used > 0 ? 100 : 0;
  return Math.min(100, Math.round((used / cap) * 100));
}

/**
 * The apps that may spend the user's credits (`/api/grants`): each with its scopes, its cap per
 * day or month, what it spent this period and when it was last used. The user can lower or
 * raise a cap, or revoke the app (its tokens and sockets end at once).
 */
export function ConnectedApps() {
  const { t } = useTranslation();
  const grants = useQuery({
    queryKey: GRANTS_KEY,
    queryFn: async () => (await unwrap(hub.GET('/api/grants'))).items,
  });
  const [editing, setEditing] = useState<Grant | null>(null);
  const [revoking, setRevoking] = useState<Grant | null>(null);

  return (
    <Card withBorder padding="lg" radius="md" data-testid="connected-apps">
      <Title order={2} size="h3">
        {t('apps.title')}
      </Title>
      <Text mb="md">{t('apps.help')}</Text>
      {grants.isPending ? (
        <Loading />
      ) : grants.isError ? (
        <Alert color="red" role="alert">
          {grants.error.message}
        </Alert>
      ) : grants.data.length === 0 ? (
        <Text c="dimmed">{t('apps.none')}</Text>
      ) : (
        <SimpleGrid
          cols={{ base: 1, md: 2 }}
          component="ul"
          p={0}
          m={0}
          style={{ listStyle: 'none' }}
        >
          {grants.data.map((grant) => (
            <GrantCard
              key={grant.id}
              grant={grant}
              onEdit={() => setEditing(grant)}
              onRevoke={() => setRevoking(grant)}
            />
          ))}
        </SimpleGrid>
      )}
      <CapModal grant={editing} onClose={() => setEditing(null)} />
      <RevokeModal grant={revoking} onClose={() => setRevoking(null)} />
    </Card>
  );
}

function GrantCard(props: { grant: Grant; onEdit: () => void; onRevoke: () => void }) {
  const { t, i18n } = useTranslation();
  const { grant } = props;
  const credits = (value: string | null) => formatCredits(value, i18n.language);
  const period = t(`apps.period.${grant.period}`);
  const used = capUsedPercent(grant);
  const titleId = `grant-${grant.id}`;
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      component="li"
      aria-labelledby={titleId}
      data-testid="grant"
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text fw={700} id={titleId} style={{ overflowWrap: 'anywhere' }}>
            {grant.client_name}
          </Text>
          <Badge variant="filled" color="indigo.9" style={{ flexShrink: 0 }}>
            {t(`apps.kind.${grant.client_type}`)}
          </Badge>
        </Group>
        <Fact label={t('apps.scopes')}>
          {grant.scopes.map((s) => (SCOPE_KEYS[s] ? t(SCOPE_KEYS[s]) : s)).join(', ')}
        </Fact>
        <Fact label={t('apps.cap')} testId="grant-cap">
          {grant.period_cap === null
            ? t('apps.noCap', { period })
            : t('apps.capPer', { cap: credits(grant.period_cap), period })}
        </Fact>
        <Fact label={t(`apps.spent.${grant.period}`)} testId="grant-spent">
          {credits(grant.spent_this_period)}
          {Number(grant.held) > 0 && ` (${t('apps.held', { held: credits(grant.held) })})`}
        </Fact>
        {used !== null && (
          <Progress
            value={used}
            color={used >= 100 ? 'red.8' : used >= 80 ? 'orange.8' : 'blue.7'}
            aria-label={t('apps.capUsed', { percent: used })}
          />
        )}
        {grant.total_cap !== null && (
          <Fact label={t('apps.totalCap')}>
            {t('apps.totalOf', {
              spent: credits(grant.total_spent),
              cap: credits(grant.total_cap),
            })}
          </Fact>
        )}
        <Fact label={t('services.lastUsed')}>
          {grant.last_used_at ? formatDateTime(grant.last_used_at, i18n.language) : t('apps.never')}
        </Fact>
        <Group gap="xs" mt="xs">
          <Button
            size="xs"
            variant="default"
            onClick={props.onEdit}
            aria-label={t('apps.changeCapOf', { app: grant.client_name })}
          >
            {t('apps.changeCap')}
          </Button>
          <Button
            size="xs"
            color="red"
            variant="light"
            onClick={props.onRevoke}
            aria-label={t('apps.revokeApp', { app: grant.client_name })}
          >
            {t('services.revoke')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function Fact(props: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed">
        {props.label}
      </Text>
      <Text size="sm" ta="right" data-testid={props.testId}>
        {props.children}
      </Text>
    </Group>
  );
}

/** Change the cap per period (empty: no cap) and the period it counts over. */
function CapModal({ grant, onClose }: { grant: Grant | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={grant !== null}
      onClose={onClose}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      title={grant ? t('apps.changeCapOf', { app: grant.client_name }) : ''}
    >
      {grant && <CapForm key={grant.id} grant={grant} onDone={onClose} />}
    </Modal>
  );
}

function CapForm({ grant, onDone }: { grant: Grant; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [cap, setCap] = useState(grant.period_cap ?? '');
  const [period, setPeriod] = useState<Period>(grant.period);
  const form = useServerForm(['period_cap', 'period'] as const);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const saved = await form.run(async () => {
      await unwrap(
        hub.PATCH('/api/grants/{id}', {
          params: { path: { id: grant.id } },
          body: { period, period_cap: cap.trim() === '' ? null : cap.trim() },
        }),
      );
      await client.invalidateQueries({ queryKey: GRANTS_KEY });
    });
    if (saved) onDone();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="cap-form">
      <Stack>
        <TextInput
          label={t('apps.capLabel')}
          description={t('apps.capHelp')}
          inputMode="decimal"
          value={cap}
          onChange={(e) => setCap(e.currentTarget.value)}
          error={form.errors.period_cap}
          data-autofocus
        />
        <Select
          label={t('apps.periodLabel')}
          data={(['day', 'month'] as const).map((p) => ({
            value: p,
            label: t(`apps.per.${p}`),
          }))}
          value={period}
          onChange={(value) => value && setPeriod(value as Period)}
          allowDeselect={false}
          error={form.errors.period}
        />
        {form.formError && (
          <Alert color="red" role="alert">
            {form.formError}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={form.submitting}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Revoking asks first: the app stops spending at once and its sign-ins end. */
function RevokeModal({ grant, onClose }: { grant: Grant | null; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) =>
      unwrap(hub.DELETE('/api/grants/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: GRANTS_KEY });
      onClose();
    },
  });
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Modal
      opened={grant !== null}
      onClose={close}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      title={grant ? t('apps.revokeApp', { app: grant.client_name }) : ''}
    >
      {grant && (
        <Stack>
          <Text>{t('apps.revokeConfirm', { app: grant.client_name })}</Text>
          {revoke.isError && (
            <Alert color="red" role="alert">
              {revoke.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(grant.id)}>
              {t('apps.revokeNow')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
