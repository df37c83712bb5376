import { render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { session } from '../api/session';
import { RequireAuth } from './RequireAuth';

function SignInAddress() {
  const location = useLocation();
  return <p>{location.pathname + location.search}</p>;
}

function renderAt(url: string) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        <Route path="/signin" element={<SignInAddress />} />
        <Route element={<RequireAuth />}>
          <Route path="/profile" element={<h1>profile page</h1>} />
        </Route>
      </Routes>
    </MemoryRouter>,
  );
}

describe('RequireAuth', () => {
  it('sends a signed-out tab to sign in, and back to where it was going', async () => {
    session.signedOut();
    renderAt('/profile?tab=password');
    expect(await screen.findByText('/signin?next=%2Fprofile%3Ftab%3Dpassword')).toBeTruthy();
  });

  it('carries the notice of the page that ended the login', async () => {
    session.signedOut('changed');
    renderAt('/profile');
    expect(await screen.findByText('/signin?notice=changed&next=%2Fprofile')).toBeTruthy();
  });
});
