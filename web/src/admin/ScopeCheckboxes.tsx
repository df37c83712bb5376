import { Checkbox, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** The "Scopes" checklist of the admin forms (keys, grants, OAuth clients): one box per scope. */
export function ScopeCheckboxes<S extends string>(props: {
  scopes: readonly S[];
  value: S[];
  onChange: (value: S[]) => void;
  error?: string | null;
}) {
  const { t } = useTranslation();
  return (
    <Checkbox.Group
      label={t('admin.scopes')}
      value={props.value}
      onChange={props.onChange}
      error={props.error}
    >
      <Group mt="xs">
        {props.scopes.map((s) => (
          <Checkbox key={s} value={s} label={s} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}
