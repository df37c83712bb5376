import { Button, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Stack align="flex-start">
      <Title order={1}>{t('errors.notFound')}</Title>
      <Button component={Link} to="/dashboard">
        {t('errors.home')}
      </Button>
    </Stack>
  );
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return (
    <Stack align="flex-start" data-testid="forbidden">
      <Title order={1}>403</Title>
      <Text>{t('errors.forbidden')}</Text>
      <Button component={Link} to="/dashboard">
        {t('errors.home')}
      </Button>
    </Stack>
  );
}
