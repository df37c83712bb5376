import { Select, SimpleGrid, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';

type Period = 'day' | 'month';

/** A spending cap (empty: none) and the period it is counted over: grants and client defaults. */
export function CapFields(props: {
  label: string;
  cap: string;
  period: Period;
  error?: string;
  onChange: (change: { cap?: string; period?: Period }) => void;
}) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <TextInput
        label={props.label}
        description={t('apps.capHelp')}
        inputMode="decimal"
        value={props.cap}
        onChange={(e) => props.onChange({ cap: e.currentTarget.value })}
        error={props.error}
      />
      <Select
        label={t('apps.periodLabel')}
        data={(['day', 'month'] as const).map((p) => ({ value: p, label: t(`apps.per.${p}`) }))}
        value={props.period}
        allowDeselect={false}
        onChange={(v) => v && props.onChange({ period: v as Period })}
      />
    </SimpleGrid>
  );
}
