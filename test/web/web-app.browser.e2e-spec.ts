import { registerUser } from '../support/users';
import type { Browser, Page } from 'playwright-core';
import { request } from '../support/contract';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { CREDITS_TEST_ENV } from '../support/credits';
import { FakeGoogle } from '../support/fake-google';
import { freePort } from '../support/free-port';
import { SmtpMailbox } from '../support/smtp-mailbox';
import { startTestApp, TestApp } from '../support/test-app';
import { arrivesAt, expectText, openWebPage, screenshot } from '../support/web-page';

const PASSWORD = 'correct horse 42';

async function fillCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('6-digit code 1', { exact: true }).fill(code);
}

/**
 * The web app in Debian's Chromium against the real server, PostgreSQL, Redis and the in-process
 * SMTP server: every flow a new user needs, without curl.
 */
describeWithChromium('Web app in headless Chromium', () => {
  let t: TestApp;
  let mailbox: SmtpMailbox;
  let google: FakeGoogle;
  let browser: Browser;

  beforeAll(async () => {
    mailbox = await SmtpMailbox.start();
    google = await FakeGoogle.start();
    const port = await freePort();
    t = await startTestApp({
      env: {
        PORT: String(port),
        SMTP_URL: mailbox.url,
        SIGNUP_BONUS_CREDITS: '100',
        RATE_LIMIT_PER_MINUTE: '100000',
        ...CREDITS_TEST_ENV,
        ...google.env(`http://127.0.0.1:${port}/auth/google/callback`),
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await google?.close();
    await mailbox?.close();
  });

  describe('served by the hub', () => {
    it('answers every app path with the shell: no-cache, a CSP without inline scripts', async () => {
      for (const path of ['/', '/dashboard', '/chats/123', '/signin?next=%2Fprofile']) {
        const res = await request(t.server).get(path).expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['cache-control']).toBe('no-cache');
        const csp = res.headers['content-security-policy'];
        const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1];
        expect(scriptSrc).toBe("'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(res.text).toContain('<div id="root"></div>');
      }
    });

    it('serves hashed assets for a year, immutable; a missing one is a 404, not the shell', async () => {
      const shell = await request(t.server).get('/').expect(200);
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(shell.text)![1];
      const res = await request(t.server).get(asset).expect(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      await request(t.server).get('/assets/nope-123.js').expect(404);
    });

    it('leaves the API, health, docs and Google routes to the server', async () => {
      const missing = await request(t.server).get('/api/nothing-here').expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      await request(t.server).get('/health').expect(200);
      await request(t.server).get('/api/docs-json').expect(200);
      const google = await request(t.server).get('/auth/google').expect(302);
      expect(google.headers.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      await request(t.server).post('/dashboard').expect(404);
      // The old try-it page moved into the app.
      const old = await request(t.server).get('/chat').expect(301);
      expect(old.headers.location).toBe('/chats');
    });
  });

  describe('the refresh cookie', () => {
    const origin = () => t.url;

    it('is HttpOnly, SameSite=Strict and scoped to the browser auth paths; the body has no refresh token', async () => {
      const email = `cookie-${Date.now()}@example.test`;
      await request(t.server)
        .post('/api/auth/register')
        .send({ email, password: PASSWORD, name: 'Cookie' })
        .expect(202);
      await request(t.server)
        .post('/api/auth/verify-email')
        .send({ email, code: await mailbox.codeFor(email) })
        .expect(200);
      const login = await request(t.server)
        .post('/api/auth/browser/login')
        .set('Origin', origin())
        .send({ email, password: PASSWORD })
        .expect(200);
      expect(login.body.refresh_token).toBeUndefined();
      expect(login.body.access_token).toEqual(expect.any(String));
      expect(login.headers['cache-control']).toBe('no-store');
      const cookie = (login.headers['set-cookie'] as unknown as string[])[0];
      expect(cookie).toMatch(/^sah_refresh=[A-Za-z0-9_-]+;/);
      expect(cookie).toContain('Path=/api/auth/browser');
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).not.toContain('Secure'); // plain http here; `req.secure` turns it on

      // A browser without the cookie is simply not signed in.
      await request(t.server).post('/api/auth/browser/refresh').set('Origin', origin()).expect(204);

      const pair = cookie.split(';')[0];
      // Another site, or no Origin at all: refused before the cookie is even read.
      await request(t.server)
        .post('/api/auth/browser/refresh')
        .set('Cookie', pair)
        .set('Origin', 'https://evil.example')
        .expect(403);
      await request(t.server).post('/api/auth/browser/refresh').set('Cookie', pair).expect(403);

      const refreshed = await request(t.server)
        .post('/api/auth/browser/refresh')
        .set('Cookie', pair)
        .set('Origin', origin())
        .expect(200);
      const rotated = (refreshed.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      expect(rotated).not.toBe(pair);

      await request(t.server)
        .post('/api/auth/browser/logout')
        .set('Cookie', rotated)
        .set('Origin', origin())
        .expect(204);
      // Logged out server-side: the cookie no longer refreshes.
      await request(t.server)
        .post('/api/auth/browser/refresh')
        .set('Cookie', rotated)
        .set('Origin', origin())
        .expect(401);
    });
  });

  describe('a new user in the browser', () => {
    it('signs up, reads the code from the mail, verifies, lands on the dashboard with the signup credits', async () => {
      const web = await openWebPage(browser, {});
      const { page } = web;
      try {
        const email = `web-${Date.now()}@example.test`;
        await page.goto(`${t.url}/dashboard`);
        await arrivesAt(web, /\/signin\?next=%2Fdashboard$/);
        await page.getByRole('link', { name: 'Create account' }).click();

        await page.getByLabel('Name').fill('Somchai');
        await page.getByLabel('Email').fill(email);
        await page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
        await page.getByText('⚠ Password it must be at least 8 characters long').waitFor();
        await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
        await page.getByText('Meets the server’s rules').waitFor();
        await page.getByRole('button', { name: 'Create account' }).click();
        // The terms checkbox is required before anything is sent.
        await page.getByText('Please accept the terms to continue').waitFor();
        await page.getByLabel('I accept the terms').check();
        await page.getByRole('button', { name: 'Create account' }).click();

        await arrivesAt(web, /\/verify-email\?email=/);
        await fillCode(page, await mailbox.codeFor(email));
        await page.getByRole('button', { name: 'Verify' }).click();
        await arrivesAt(web, /\/signin\?notice=verified/);
        await page.getByText('Email verified').waitFor();
        await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();

        await arrivesAt(web, /\/dashboard$/);
        await expectText(page, 'credits-balance', '100');
        await expectText(page, 'credits-available', '100');
        await expectText(page, 'credits-held', '0');
        await page.getByTestId('activity').getByText('signup').waitFor();
        await screenshot(page, 'dashboard-1280-light');

        // A reload keeps the login: the refresh cookie signs the tab in again silently.
        await page.reload();
        await expectText(page, 'credits-balance', '100');
        expect(await page.evaluate('document.cookie')).toBe('');
        expect(web.problems).toEqual([]);
      } finally {
        await web.close();
      }
    });

    it('shows the server’s field errors and comes back to the page it was going to', async () => {
      const user = await signedUpUser('next');
      const web = await openWebPage(browser, {
        allowHttpErrors: [/^401 \/api\/auth\/browser\/login$/, /^400 \/api\/auth\/browser\/login$/],
      });
      const { page } = web;
      try {
        await page.goto(`${t.url}/profile`);
        await arrivesAt(web, /\/signin\?next=%2Fprofile$/);
        await page.getByLabel('Email').fill('not-an-email');
        await page.getByRole('textbox', { name: 'Password', exact: true }).fill('x');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('email must be an email address').waitFor();
        await page.getByLabel('Email').fill(user.email);
        await page.getByRole('textbox', { name: 'Password', exact: true }).fill('wrong password 1');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByTestId('form-error').getByText('Invalid email or password').waitFor();
        await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await arrivesAt(web, /\/profile$/);
        await page.getByRole('heading', { name: 'Profile' }).waitFor();
        expect(web.problems).toEqual([]);
      } finally {
        await web.close();
      }
    });

    it('resets a forgotten password with the mailed code', async () => {
      const user = await signedUpUser('forgot');
      const web = await openWebPage(browser, {});
      const { page } = web;
      try {
        await page.goto(`${t.url}/signin`);
        await page.getByRole('link', { name: 'Forgot password?' }).click();
        await page.getByLabel('Email').fill(user.email);
        await page.getByRole('button', { name: 'Send code' }).click();
        await arrivesAt(web, /\/reset-password\?email=/);
        // The second mail to this address: the first was the verification code.
        await fillCode(page, await mailbox.codeFor(user.email, 2));
        await page
          .getByRole('textbox', { name: 'New password', exact: true })
          .fill('a brand new pass 7');
        await page.getByRole('button', { name: 'Set new password' }).click();
        await arrivesAt(web, /\/signin\?notice=resetDone/);
        await page
          .getByRole('textbox', { name: 'Password', exact: true })
          .fill('a brand new pass 7');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await arrivesAt(web, /\/dashboard$/);
        await expectText(page, 'credits-balance', '100');
        expect(web.problems).toEqual([]);
      } finally {
        await web.close();
      }
    });

    it('continues with Google (fake provider) straight into the dashboard', async () => {
      google.nextUser = {
        sub: `g-web-${Date.now()}`,
        email: `google-web-${Date.now()}@gmail.com`,
        email_verified: true,
        name: 'Google Web',
      };
      const web = await openWebPage(browser, {});
      const { page } = web;
      try {
        await page.goto(`${t.url}/signin`);
        await page.getByRole('link', { name: 'Continue with Google' }).click();
        await arrivesAt(web, /\/dashboard$/);
        await expectText(page, 'credits-balance', '100');
        expect(page.url()).not.toContain('token');
        expect(web.problems).toEqual([]);
      } finally {
        await web.close();
      }
    });
  });

  async function signedUpUser(tag: string): Promise<{ email: string; id: string }> {
    const email = `${tag}-${Date.now()}@example.test`;
    const { id } = await registerUser(t, { email, password: PASSWORD, name: tag });
    await request(t.server)
      .post('/api/auth/verify-email')
      .send({ email, code: await mailbox.codeFor(email) })
      .expect(200);
    return { email, id };
  }
});
