import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * "Please confirm" before what cannot be undone: a message, the failed attempt's error, Cancel and
 * a red confirm button. Used by the admin console and the user's own pages alike.
 */
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
      title={t('common.confirmTitle')}
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

/**
 * A red button that asks first: confirming runs `action` in the modal (its error shows there),
 * and on success the modal closes and `onDone` runs.
 */
export function ConfirmButton(props: {
  label: string;
  message: ReactNode;
  action: () => Promise<unknown>;
  onDone: () => unknown;
  /** A small button in a table row instead of a filled one. */
  compact?: boolean;
}) {
  const [opened, setOpened] = useState(false);
  const run = useMutation({
    mutationFn: props.action,
    onSuccess: () => {
      setOpened(false);
      return props.onDone();
    },
  });
  const close = () => {
    run.reset();
    setOpened(false);
  };
  return (
    <>
      <Button
        color="red"
        {...(props.compact ? { size: 'xs', variant: 'subtle' } : {})}
        onClick={() => setOpened(true)}
      >
        {props.label}
      </Button>
      <ConfirmModal
        opened={opened}
        onClose={close}
        message={props.message}
        error={run.error}
        pending={run.isPending}
        onConfirm={() => run.mutate()}
        confirmLabel={props.label}
      />
    </>
  );
}
