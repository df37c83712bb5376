import { Alert, Button, Code, CopyButton, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A secret the server shows once (an integration key, an OAuth client secret), with a copy button.
 * The title keeps the body's text colour: Mantine's yellow title is too pale to read (axe contrast).
 */
export function SecretOnce(props: {
  secret: string;
  title: string;
  help: string;
  testId: string;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Alert
      color="yellow"
      mt="md"
      title={props.title}
      styles={{ title: { color: 'var(--mantine-color-text)' } }}
      data-testid={props.testId}
    >
      {props.children}
      <Group wrap="nowrap">
        <Code style={{ overflowWrap: 'anywhere' }} data-testid={`${props.testId}-value`}>
          {props.secret}
        </Code>
        <CopyButton value={props.secret}>
          {({ copied, copy }) => (
            <Button size="xs" onClick={copy} variant="default" style={{ flexShrink: 0 }}>
              {copied ? t('chat.copied') : t('admin.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="sm" mt="xs">
        {props.help}
      </Text>
    </Alert>
  );
}
