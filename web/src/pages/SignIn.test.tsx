import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initI18n, setLanguage } from '../i18n/i18n';
import { session } from '../api/session';
import { SignInPage } from './SignIn';

function renderAt(url: string) {
  return render(
    <MantineProvider>
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path="/signin" element={<SignInPage />} />
            <Route path="/profile" element={<h1>profile page</h1>} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

describe('SignInPage', () => {
  beforeAll(() => {
    initI18n();
    setLanguage('en');
    session.signedOut();
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows the server’s messages under the fields they name', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(
            JSON.stringify({
              statusCode: 400,
              error: 'Bad Request',
              message: 'email must be an email address',
            }),
            { status: 400 },
          ),
      ),
    );
    renderAt('/signin');
    await userEvent.type(screen.getByRole('textbox', { name: /email/i }), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    const input = screen.getByRole('textbox', { name: /email/i });
    expect(await screen.findByText('email must be an email address')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
  });

  it('goes back to `next` after signing in', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(
            JSON.stringify({
              access_token: 'at',
              token_type: 'Bearer',
              expires_in: 900,
              user: { id: 'u', email: 'a@b.test', name: 'A', role: 'user' },
            }),
            { status: 200 },
          ),
      ),
    );
    renderAt('/signin?next=%2Fprofile');
    await userEvent.type(screen.getByRole('textbox', { name: /email/i }), 'a@b.test');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('profile page')).toBeTruthy();
  });
});
