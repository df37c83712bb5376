import { TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** "From" and "To" day pickers (YYYY-MM-DD) of a filter row. */
export function DateRange(props: {
  from: string;
  to: string;
  onFrom: (value: string) => void;
  onTo: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <TextInput
        label={t('dashboard.from')}
        type="date"
        value={props.from}
        onChange={(e) => props.onFrom(e.currentTarget.value)}
        w={160}
      />
      <TextInput
        label={t('dashboard.to')}
        type="date"
        value={props.to}
        onChange={(e) => props.onTo(e.currentTarget.value)}
        w={160}
      />
    </>
  );
}
