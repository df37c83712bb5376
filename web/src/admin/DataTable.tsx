import { Alert, Badge, Button, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmButton } from '../components/ConfirmModal';
import { Loading } from '../components/Loading';
import { ScrollTable } from '../components/ScrollTable';

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
  align?: 'left' | 'right';
}

/** One table for every admin list: loading, error and empty states, and "load more" for keyset pages. */
export function DataTable<T>(props: {
  rows: T[] | undefined;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  loading?: boolean;
  error?: Error | null;
  testId?: string;
  /** Names the scrollable region for screen readers. */
  label: string;
  more?: { has: boolean; loading: boolean; load: () => void };
}) {
  const { t } = useTranslation();
  if (props.loading) return <Loading />;
  if (props.error) {
    return (
      <Alert color="red" role="alert">
        {props.error.message}
      </Alert>
    );
  }
  if (!props.rows?.length) return <Text c="dimmed">{t('admin.empty')}</Text>;
  return (
    <>
      <ScrollTable label={props.label} minWidth={640}>
        <Table striped highlightOnHover data-testid={props.testId}>
          <Table.Thead>
            <Table.Tr>
              {props.columns.map((c, i) => (
                <Table.Th key={i} ta={c.align}>
                  {c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.rows.map((row) => (
              <Table.Tr key={props.rowKey(row)}>
                {props.columns.map((c, i) => (
                  <Table.Td key={i} ta={c.align}>
                    {c.render(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      {props.more?.has && (
        <Button mt="sm" variant="default" loading={props.more.loading} onClick={props.more.load}>
          {t('dashboard.more')}
        </Button>
      )}
    </>
  );
}

/** The status of a row that can be switched off (a key, a grant, a promo code). */
export function ActiveBadge(props: { active: boolean; inactiveLabel?: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={props.active ? 'teal.9' : 'gray.7'} variant="filled">
      {props.active ? t('admin.active') : (props.inactiveLabel ?? t('admin.revoked'))}
    </Badge>
  );
}

/** The red "Revoke" of a row (a key, a grant, a session): asks first, then revokes. */
export function RevokeButton(props: {
  message: ReactNode;
  revoke: () => Promise<unknown>;
  onDone: () => unknown;
}) {
  const { t } = useTranslation();
  return (
    <ConfirmButton
      compact
      label={t('services.revoke')}
      message={props.message}
      action={props.revoke}
      onDone={props.onDone}
    />
  );
}
