import { createTheme, localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { queryClient } from './api/query';
import { Layout } from './components/Layout';
import { Loading } from './components/Loading';
import { RequireAdmin, RequireAuth } from './components/RequireAuth';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/PasswordReset';
import { NotFoundPage } from './pages/NotFound';
import { SignInPage } from './pages/SignIn';
import { SignUpPage } from './pages/SignUp';
import { VerifyEmailPage } from './pages/VerifyEmail';

// Signed-in pages load on demand: the sign-in page does not carry the dashboard's charts, and
// nobody but an admin ever downloads the admin console.
const PAGES = {
  dashboard: () => import('./pages/Dashboard'),
  chats: () => import('./pages/Chat'),
  services: () => import('./pages/Services'),
  profile: () => import('./pages/Profile'),
};
const DashboardPage = lazy(PAGES.dashboard);
const ChatPage = lazy(PAGES.chats);
const ServicesPage = lazy(PAGES.services);
const ProfilePage = lazy(PAGES.profile);
const AdminApp = lazy(() => import('./admin/AdminApp'));

/**
 * The code of the page the address names starts loading at once, beside the silent sign-in,
 * instead of after it (not the admin console: only an admin's session may ask for that).
 */
export function preloadPage(pathname: string): void {
  const section = pathname.split('/')[1] as keyof typeof PAGES;
  if (Object.hasOwn(PAGES, section)) void PAGES[section]();
}

const theme = createTheme({
  primaryColor: 'blue',
  // Shade 8 keeps white text on buttons and blue links on white at ≥ 4.5:1 (WCAG AA).
  primaryShade: { light: 8, dark: 8 },
  fontFamily: "system-ui, -apple-system, 'Segoe UI', 'Noto Sans Thai', Loma, Tahoma, sans-serif",
});
const colorSchemeManager = localStorageColorSchemeManager({ key: 'sah.color-scheme' });

export function App() {
  return (
    <MantineProvider
      theme={theme}
      defaultColorScheme="auto"
      colorSchemeManager={colorSchemeManager}
    >
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Routes>
            <Route element={<Layout />}>
              <Route path="/signin" element={<SignInPage />} />
              <Route path="/signup" element={<SignUpPage />} />
              <Route path="/verify-email" element={<VerifyEmailPage />} />
              <Route path="/forgot-password" element={<ForgotPasswordPage />} />
              <Route path="/reset-password" element={<ResetPasswordPage />} />
              <Route element={<RequireAuth />}>
                <Route path="/" element={<Navigate to="/dashboard" replace />} />
                <Route path="/dashboard" element={<Lazy page={<DashboardPage />} />} />
                <Route path="/chats" element={<Lazy page={<ChatPage />} />} />
                <Route path="/chats/:id" element={<Lazy page={<ChatPage />} />} />
                <Route path="/services" element={<Lazy page={<ServicesPage />} />} />
                <Route path="/profile" element={<Lazy page={<ProfilePage />} />} />
                <Route element={<RequireAdmin />}>
                  <Route path="/admin/*" element={<Lazy page={<AdminApp />} />} />
                </Route>
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}

function Lazy({ page }: { page: React.ReactNode }) {
  return <Suspense fallback={<Loading />}>{page}</Suspense>;
}
