import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** "Please confirm": a message, the failed attempt's error, Cancel and a red confirm button. */
export function ConfirmModal(props: {
  opened: boolean;
  onClose: () => void;
  message: ReactNode;
  error: Error | null;
  pending: boolean;
  onConfirm: () => void;
  confirmLabel: string;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      closeButtonProps={{ 'aria-label': t('common.close') }}
      title={t('admin.confirmTitle')}
    >
      <Stack>
        <Text>{props.message}</Text>
        {props.error && (
          <Alert color="red" role="alert">
            {props.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            {t('common.cancel')}
          </Button>
          <Button color="red" loading={props.pending} onClick={props.onConfirm}>
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
