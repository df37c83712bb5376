import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Group,
  NavLink,
  SegmentedControl,
  Text,
  useComputedColorScheme,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { queryClient } from '../api/query';
import { session, useSession } from '../api/session';
import { setLanguage, type Language } from '../i18n/i18n';

const NAV = [
  { to: '/dashboard', key: 'nav.dashboard' },
  { to: '/chats', key: 'nav.chat' },
  { to: '/services', key: 'nav.services' },
  { to: '/profile', key: 'nav.profile' },
] as const;

export function Layout() {
  const { t, i18n } = useTranslation();
  const state = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  const signedIn = state.status === 'signed-in';
  const isAdmin = signedIn && state.user.role === 'admin';

  const signOut = async () => {
    await session.logout();
    queryClient.clear();
    navigate('/signin');
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={
        signedIn ? { width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } } : undefined
      }
      padding="md"
    >
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            {signedIn && (
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={t('nav.menu')}
              />
            )}
            <Text component={Link} to="/" fw={700} c="inherit" td="none">
              {t('app.name')}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <SegmentedControl
              size="xs"
              aria-label={t('nav.language')}
              value={i18n.language}
              onChange={(value) => setLanguage(value as Language)}
              data={[
                { value: 'th', label: 'ไทย' },
                { value: 'en', label: 'EN' },
              ]}
            />
            <ThemeToggle label={t('nav.theme')} />
            {signedIn && (
              <Button variant="subtle" size="xs" onClick={() => void signOut()} visibleFrom="xs">
                {t('nav.signOut')}
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      {signedIn && (
        <AppShell.Navbar p="xs" aria-label={t('nav.menu')} component="nav">
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={t(item.key)}
              active={location.pathname.startsWith(item.to)}
              onClick={close}
            />
          ))}
          {isAdmin && (
            <NavLink
              component={Link}
              to="/admin"
              label={t('nav.admin')}
              active={location.pathname.startsWith('/admin')}
              onClick={close}
            />
          )}
          <NavLink
            component="button"
            label={t('nav.signOut')}
            onClick={() => void signOut()}
            hiddenFrom="xs"
          />
        </AppShell.Navbar>
      )}
      <AppShell.Main id="main">
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

function ThemeToggle({ label }: { label: string }) {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  return (
    <ActionIcon
      variant="default"
      size="lg"
      onClick={() => setColorScheme(computed === 'dark' ? 'light' : 'dark')}
      aria-label={label}
      data-testid="theme-toggle"
    >
      <span aria-hidden="true">{computed === 'dark' ? '☀' : '☾'}</span>
      <VisuallyHidden>{label}</VisuallyHidden>
    </ActionIcon>
  );
}
