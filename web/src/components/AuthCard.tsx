import { Alert, Anchor, Button, Divider, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** The frame of the signed-out pages: a title, the form, and the error of the last attempt. */
export function AuthCard(props: { title: string; error?: string | null; children: ReactNode }) {
  return (
    <Paper maw={420} mx="auto" mt="lg" p="lg" withBorder radius="md">
      <Stack>
        <Title order={1} size="h2">
          {props.title}
        </Title>
        {props.error && (
          <Alert color="red" role="alert" data-testid="form-error">
            {props.error}
          </Alert>
        )}
        {props.children}
      </Stack>
    </Paper>
  );
}

/** A plain link: the server runs the whole Google leg and lands on the dashboard. */
export function GoogleButton() {
  const { t } = useTranslation();
  return (
    <>
      <Divider
        label={
          <Text size="sm" c="var(--mantine-color-text)">
            {t('common.or')}
          </Text>
        }
        labelPosition="center"
      />
      <Button component="a" href="/auth/google" variant="default" fullWidth>
        {t('auth.google')}
      </Button>
    </>
  );
}

export function FooterLink(props: { text: string; link: ReactNode }) {
  return (
    <Text size="sm" ta="center">
      {props.text} <Anchor component="span">{props.link}</Anchor>
    </Text>
  );
}
