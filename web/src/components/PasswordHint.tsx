import { Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { hub, unwrap } from '../api/client';

/** The server's own password rules, checked as the user types (debounced); nothing is stored. */
export function PasswordHint({ password, email }: { password: string; email?: string }) {
  const { t } = useTranslation();
  const [debounced] = useDebouncedValue(password, 300);
  const check = useQuery({
    queryKey: ['password-check', debounced, email],
    queryFn: () =>
      unwrap(
        hub.POST('/api/auth/password-check', {
          body: { password: debounced, ...(email?.includes('@') ? { email } : {}) },
        }),
      ),
    enabled: debounced.length > 0,
    staleTime: Infinity,
  });
  if (!password || !check.data) {
    return (
      <Text size="xs" c="var(--mantine-color-text)">
        {t('auth.passwordRule', { min: check.data?.min_length ?? 8 })}
      </Text>
    );
  }
  return (
    <Text size="xs" c="var(--mantine-color-text)" data-testid="password-hint" aria-live="polite">
      {check.data.acceptable ? `✓ ${t('auth.passwordOk')}` : `⚠ Password ${check.data.problem}`}
    </Text>
  );
}
