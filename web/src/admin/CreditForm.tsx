import { Group, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap, type Schemas } from '../api/client';
import { useServerForm } from '../components/useServerForm';
import { FormFooter } from './FormFooter';
import { useIdempotencyKey } from './useIdempotencyKey';

/** What every credit form's answer has: the ledger row it wrote and the balance after it. */
type CreditResult = Pick<
  Schemas['AdminCreditResultDto'] & Schemas['RefundResultDto'],
  'transaction_id' | 'new_balance' | 'amount'
>;

/**
 * Top-up, adjustment or refund with a reason. Submitting twice quickly (or retrying after a
 * network error) sends the same Idempotency-Key: one ledger row, whatever happens.
 */
export function CreditForm(props: {
  kind: 'top-up' | 'adjust' | 'refund';
  /** Sends the form with the typed client: the form's Idempotency-Key goes in `key`. */
  send: (
    body: { amount?: string; reason: string },
    key: string,
  ) => Promise<{ data?: CreditResult; error?: unknown; response: Response }>;
  /** A refund may leave the amount empty (the rest of the deduction). */
  amountOptional?: boolean;
  invalidate: unknown[][];
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [key, renewKey] = useIdempotencyKey();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<CreditResult | null>(null);
  const form = useServerForm(['amount', 'reason'] as const);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setResult(null);
    await form.run(async () => {
      const body = { ...(amount.trim() ? { amount: amount.trim() } : {}), reason };
      const res = await unwrap(props.send(body, key));
      setResult(res);
      setAmount('');
      setReason('');
      renewKey();
      await Promise.all(props.invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
    });
  };

  return (
    <form onSubmit={submit} noValidate data-testid={`form-${props.kind}`}>
      <Stack gap="xs">
        <Group align="flex-start" grow>
          <TextInput
            label={t('admin.amount')}
            inputMode="decimal"
            required={!props.amountOptional}
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value)}
            error={form.errors.amount}
          />
          <TextInput
            label={t('admin.reason')}
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={form.errors.reason}
          />
        </Group>
        <FormFooter form={form} submitLabel={t(`admin.${props.kind}`)}>
          {result && (
            <Text size="sm" role="status" data-testid="credit-result">
              {t('admin.applied', {
                amount: result.amount,
                balance: result.new_balance,
                id: result.transaction_id,
              })}
            </Text>
          )}
        </FormFooter>
      </Stack>
    </form>
  );
}
