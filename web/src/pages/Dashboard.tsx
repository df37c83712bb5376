import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { hub, unwrap } from '../api/client';
import { BALANCE_KEY, useLiveBalance } from '../api/credits';
import { formatCredits, isLow } from '../components/format';
import { Loading } from '../components/Loading';
import { useServerForm } from '../components/useServerForm';

// Below the balance and loaded after it: Recharts (the heaviest part of the dashboard), the
// activity table with its filters, and the tables (Mantine's Table brings ScrollArea and, through
// it, the popover code of @floating-ui: too much to wait for before the balance shows).
const ModelsCard = lazy(() => import('../components/ModelsCard'));
const UsageChart = lazy(() => import('../components/UsageChart'));
const ActivityTable = lazy(() =>
  import('../components/ActivityTable').then((m) => ({ default: m.ActivityTable })),
);

export default function DashboardPage() {
  const { t } = useTranslation();
  // The rest asks for its code only once the balance has answered: the first thing on screen
  // does not share the network with the chart's and tables' code. Only BalanceCard reads the
  // live balance, so a push re-renders the card, not the charts and tables below it.
  const [settled, setSettled] = useState(false);
  const onSettled = useCallback(() => setSettled(true), []);
  const { hash } = useLocation();
  useEffect(() => {
    // `/dashboard#redeem` (chat's "how to top up"): the promo code form.
    if (hash) document.getElementById(hash.slice(1))?.scrollIntoView?.();
  }, [hash]);
  return (
    <Stack>
      <Title order={1}>{t('dashboard.title')}</Title>
      <BalanceCard onSettled={onSettled} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <RedeemCard />
        <Deferred ready={settled}>
          <ModelsCard />
        </Deferred>
      </SimpleGrid>
      <Deferred ready={settled}>
        <UsageChart />
      </Deferred>
      <Deferred ready={settled}>
        <ActivityTable />
      </Deferred>
    </Stack>
  );
}

function Deferred({ ready, children }: { ready: boolean; children: React.ReactNode }) {
  return <Suspense fallback={<Loading />}>{ready ? children : <Loading />}</Suspense>;
}

function BalanceCard({ onSettled }: { onSettled: () => void }) {
  const { t, i18n } = useTranslation();
  const balance = useLiveBalance();
  const settled = balance.isSuccess || balance.isError;
  useEffect(() => {
    if (settled) onSettled();
  }, [settled, onSettled]);
  const [threshold, setThreshold] = useLocalStorage<number>({
    key: 'sah.low-credit-threshold',
    defaultValue: 10,
  });
  const low = isLow(balance.data?.available, threshold);
  return (
    <Card withBorder padding="lg" radius="md">
      <Group justify="space-between" align="flex-start">
        <Title order={2} size="h3">
          {t('dashboard.balance')}
        </Title>
        {balance.live && (
          <Badge color="teal.9" variant="filled">
            {t('dashboard.live')}
          </Badge>
        )}
      </Group>
      {balance.isError ? (
        <Alert color="red" role="alert">
          {balance.error.message}
        </Alert>
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 3 }} mt="sm">
          {(['balance', 'available', 'held'] as const).map((key) => (
            <div key={key}>
              <Text size="sm" c="dimmed">
                {t(`dashboard.${key}`)}
              </Text>
              {balance.data ? (
                <Text fz={key === 'balance' ? 32 : 24} fw={700} data-testid={`credits-${key}`}>
                  {formatCredits(balance.data[key], i18n.language)}
                </Text>
              ) : (
                <Skeleton h={36} w={120} />
              )}
            </div>
          ))}
        </SimpleGrid>
      )}
      {low && (
        <Alert color="orange" mt="md" role="status" data-testid="low-credit">
          {t('dashboard.lowCredit', {
            available: formatCredits(balance.data?.available, i18n.language),
            threshold: formatCredits(threshold, i18n.language),
          })}
        </Alert>
      )}
      <NumberInput
        mt="md"
        maw={220}
        label={t('dashboard.threshold')}
        min={0}
        value={threshold}
        onChange={(value) => setThreshold(Number(value) || 0)}
      />
    </Card>
  );
}

function RedeemCard() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const form = useServerForm(['code'] as const);
  const redeem = useMutation({
    mutationFn: () => unwrap(hub.POST('/api/credits/redeem', { body: { code } })),
  });
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setDone(null);
    await form.run(async () => {
      const result = await redeem.mutateAsync();
      setDone(formatCredits(result.amount, i18n.language));
      setCode('');
      await client.invalidateQueries({ queryKey: BALANCE_KEY });
      await client.invalidateQueries({ queryKey: ['credits', 'activity'] });
    });
  };
  return (
    <Card withBorder padding="lg" radius="md" id="redeem">
      <Title order={2} size="h3" mb="sm">
        {t('dashboard.redeem')}
      </Title>
      <form onSubmit={submit} noValidate>
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label={t('dashboard.promoCode')}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={form.errors.code ?? form.formError}
            style={{ flex: '1 1 12rem' }}
          />
          <Button type="submit" loading={form.submitting} disabled={!code.trim()}>
            {t('dashboard.redeem')}
          </Button>
        </Group>
      </form>
      {done && (
        <Text c="teal.9" mt="sm" role="status">
          {t('dashboard.redeemed', { amount: done })}
        </Text>
      )}
    </Card>
  );
}
