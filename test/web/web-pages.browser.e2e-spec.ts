import type { Browser } from 'playwright-core';
import { request } from '../support/contract';
import { SessionService } from '../../src/session/session.service';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { asSora2, CREDITS_TEST_ENV } from '../support/credits';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { fakeProviderEnv, Fakes, insertTestModels, startFakes } from '../mcp/mcp-test-env';
import { startTestApp, TestApp } from '../support/test-app';
import {
  arrivesAt,
  dialogSettled,
  expectText,
  openWebPage,
  screenshot,
  seriousA11yViolations,
  WebPage,
} from '../support/web-page';
import { signIn, webUser } from '../support/web-users';

/**
 * The signed-in pages in Debian's Chromium against the real server: live balance, chat, connected
 * services, profile; then every page at 375 and 1280 px in both themes, checked by axe-core.
 */
describeWithChromium('Web app pages in headless Chromium', () => {
  let t: TestApp;
  let fakes: Fakes;
  let browser: Browser;

  beforeAll(async () => {
    fakes = await startFakes();
    t = await startTestApp({
      env: {
        PORT: String(await freePort()),
        RATE_LIMIT_PER_MINUTE: '100000',
        ...CREDITS_TEST_ENV,
        ...fakeProviderEnv(fakes),
        MCP_IDLE_TIMEOUT: '5s',
      },
    });
    await insertTestModels(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fakes?.close();
  });

  async function signedIn(
    fields: Parameters<typeof webUser>[1] = {},
    options: Parameters<typeof openWebPage>[1] = {},
  ) {
    const user = await webUser(t, { credits: '100', ...fields });
    const web = await openWebPage(browser, options);
    await signIn(t, web, user.email);
    return { user, web, page: web.page };
  }

  it('shows a deduct made over the credit API on the dashboard without a reload', async () => {
    const { user, web, page } = await signedIn();
    try {
      await page.goto(`${t.url}/dashboard`);
      await expectText(page, 'credits-balance', '100');
      // The socket is connected: what follows can only reach the screen through credits:balance.
      await page.getByText('Live', { exact: true }).waitFor();
      await page.evaluate('window.__sameDocument = true');
      await asSora2(t, 'deduct', user.id, { service: 'video', cost: '7.5' }).expect(200);
      await expectText(page, 'credits-balance', '92.5');
      await expectText(page, 'credits-available', '92.5');
      await expectText(page, 'credits-held', '0');
      expect(await page.evaluate('window.__sameDocument')).toBe(true);
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('streams a chat answer into the thread; the conversation is listed, reloads, continues and is deleted after a confirmation', async () => {
    const answer = { chunks: ['Here is ', 'code:\n\n```js\nconsole.log(1)\n```\n'] };
    fakes.openai.behave(answer);
    fakes.anthropic.behave(answer);
    const { user, web, page } = await signedIn();
    try {
      await page.goto(`${t.url}/chats`);
      await page.getByRole('textbox', { name: 'Write a message…' }).fill('Say hello');
      await page.getByRole('button', { name: 'Send' }).click();
      const done = page.locator('[data-testid="message-assistant"][data-status="done"]');
      await done.waitFor();
      await done.locator('pre code').filter({ hasText: 'console.log(1)' }).waitFor();
      await done.getByRole('button', { name: 'Copy code' }).waitFor();
      await done.getByTestId('message-cost').waitFor();

      // The server stored it: the page now has the conversation's address and lists it.
      await arrivesAt(web, /\/chats\/[0-9a-f-]{36}$/);
      const id = new URL(page.url()).pathname.split('/')[2];
      const listed = page.getByTestId('conversations').getByRole('link', { name: /Say hello/ });
      await listed.waitFor();

      await page.reload();
      await page.getByTestId('message-user').filter({ hasText: 'Say hello' }).waitFor();
      await done.locator('pre code').filter({ hasText: 'console.log(1)' }).waitFor();
      await done.getByTestId('message-cost').waitFor();

      // The next turn goes with the conversation's id: the provider gets the stored history.
      fakes.reset();
      fakes.openai.behave({ chunks: ['Second answer'] });
      fakes.anthropic.behave({ chunks: ['Second answer'] });
      await page.getByRole('textbox', { name: 'Write a message…' }).fill('And again');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('[data-status="done"]').filter({ hasText: 'Second answer' }).waitFor();
      const sent = [...fakes.openai.requests, ...fakes.anthropic.requests].map((r) =>
        JSON.stringify(r.body),
      );
      expect(sent).toHaveLength(1);
      expect(sent[0]).toContain('Say hello');
      expect(sent[0]).toContain('console.log(1)');
      expect(sent[0]).toContain('And again');
      // Both turns and both answers stored (the last answer is written just after chat:end).
      await eventually(async () => {
        const [{ count }] = await t.database.query<{ count: string }>(
          'SELECT count(*)::text AS count FROM conversation_messages WHERE conversation_id = $1',
          [id],
        );
        expect(count).toBe('4');
      });

      // Deleting asks first; then the list loses it, the page leaves its address and the
      // messages are gone, while the charges stay in the ledger.
      await page.getByRole('button', { name: 'Delete “Say hello”' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Delete the conversation “Say hello”?').waitFor();
      await dialogSettled(page);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
      await arrivesAt(web, /\/chats$/);
      await listed.waitFor({ state: 'detached' });
      const messages = await t.database.query(
        'SELECT 1 FROM conversation_messages WHERE conversation_id = $1',
        [id],
      );
      expect(messages).toHaveLength(0);
      const charges = await t.database.query(
        `SELECT 1 FROM credit_transactions WHERE user_id = $1 AND type = 'chat'`,
        [user.id],
      );
      expect(charges).toHaveLength(2);
      expect(web.problems).toEqual([]);
    } finally {
      fakes.reset();
      await web.close();
    }
  });

  it('says when credits are short, with the way to top up, and charges nothing', async () => {
    const { user, web, page } = await signedIn({ credits: '0' });
    try {
      await page.goto(`${t.url}/chats`);
      await page.getByRole('textbox', { name: 'Write a message…' }).fill('Say hello');
      await page.getByRole('button', { name: 'Send' }).click();
      const error = page.getByTestId('chat-error');
      await error.getByText('Not enough credits for this message.').waitFor();
      await error.getByRole('link', { name: 'How to top up' }).click();
      await arrivesAt(web, /\/dashboard#redeem$/);
      await page.getByRole('textbox', { name: 'Promo code' }).waitFor();
      const rows = await t.database.query(
        `SELECT 1 FROM credit_transactions WHERE user_id = $1 AND type = 'chat'`,
        [user.id],
      );
      expect(rows).toHaveLength(0);
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('is in Thai when the browser prefers it; the header switches to English', async () => {
    const { web, page } = await signedIn({}, { locale: 'th-TH', width: 375 });
    try {
      await page.goto(`${t.url}/dashboard`);
      await page.getByRole('heading', { name: 'แดชบอร์ด', level: 1 }).waitFor();
      await expectText(page, 'credits-balance', '100');
      await page.waitForLoadState('networkidle');
      await screenshot(page, 'dashboard-375-light-th');
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(await page.evaluate('document.documentElement.lang')).toBe('th');
      await page.getByText('EN', { exact: true }).click();
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('lists connected services; revoking one, then all after a confirmation, makes their codes answer 401', async () => {
    const { user, web, page } = await signedIn();
    try {
      const sessions = t.app.get(SessionService);
      const kept = await sessions.createForUser({ userId: user.id, clientName: 'Kept GPT' });
      const revoked = await sessions.createForUser({ userId: user.id, clientName: 'Sora2 GPT' });
      const verify = (token: string) =>
        request(t.server).get('/api/auth/verify-session').set('X-Session-Token', token);
      await verify(revoked.token).expect(200);

      await page.goto(`${t.url}/services`);
      await page.getByRole('button', { name: 'Revoke Sora2 GPT' }).click();
      await page.getByTestId('sessions').getByText('Sora2 GPT').waitFor({ state: 'detached' });
      await verify(revoked.token).expect(401);
      await verify(kept.token).expect(200);

      // All at once asks first.
      await page.getByRole('button', { name: 'Revoke all' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Sign every connected service out?').waitFor();
      await dialogSettled(page);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await screenshot(page, 'services-revoke-all-confirm-1280');
      await dialog.getByRole('button', { name: 'Revoke all' }).click();
      const rows = page.getByTestId('sessions');
      await rows.getByText('Kept GPT').waitFor({ state: 'detached' });
      await verify(kept.token).expect(401);
      // This tab's own sign-in is listed as such, and stays (Sign out everywhere ends it).
      await rows.getByText('Your sign-in (web or app)').waitFor();
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('changes the name and the password on the profile; the old login ends, the new password signs in and comes back', async () => {
    // Ending every login cuts this tab's socket, whose last refresh then answers 401.
    const { user, web, page } = await signedIn(
      {},
      { allowHttpErrors: [/^401 \/api\/auth\/browser\/refresh$/] },
    );
    try {
      await page.goto(`${t.url}/profile`);
      await page.getByLabel('Name').fill('Somchai Jaidee');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      const [row] = await t.database.query<{ name: string }>(
        'SELECT name FROM users WHERE id = $1',
        [user.id],
      );
      expect(row.name).toBe('Somchai Jaidee');

      await page.getByRole('textbox', { name: 'Current password' }).fill('correct horse 42');
      await page.getByRole('textbox', { name: 'New password' }).fill('another good one 9');
      await page.getByRole('button', { name: 'Change password' }).click();
      await arrivesAt(web, /\/signin\?notice=changed&next=%2Fprofile$/);
      await page.getByText('Password changed. Please sign in again.').waitFor();
      const live = await t.database.query(
        'SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL',
        [user.id],
      );
      expect(live).toHaveLength(0);

      await page.getByLabel('Email').fill(user.email);
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill('another good one 9');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await arrivesAt(web, /\/profile$/);
      // Everywhere asks first: Cancel ends nothing.
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.reload();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Sign out everywhere' }).click();
      await arrivesAt(web, /\/signin\?notice=signedOutEverywhere&next=%2Fprofile$/);
      await page.getByText('Signed out everywhere.').waitFor();
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  describe('every page, 375 and 1280 px, light and dark', () => {
    const PAGES = [
      '/signin',
      '/signup',
      '/verify-email?email=a%40b.test',
      '/forgot-password',
      '/reset-password?email=a%40b.test',
    ];
    const SIGNED_IN = ['/dashboard', '/chats', '/services', '/profile'];

    for (const width of [375, 1280]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`${width} px, ${colorScheme}: screenshots, no serious axe violations, no errors`, async () => {
          const out = await openWebPage(browser, { width, colorScheme });
          const { web, user } = await signedIn({}, { width, colorScheme });
          try {
            await t.app
              .get(SessionService)
              .createForUser({ userId: user.id, clientName: 'Sora2 GPT' });
            for (const path of PAGES) await check(out, path, width, colorScheme);
            for (const path of SIGNED_IN) await check(web, path, width, colorScheme);
            expect(out.problems).toEqual([]);
            expect(web.problems).toEqual([]);
          } finally {
            await out.close();
            await web.close();
          }
          // Nine pages, each loaded, screenshotted and checked by axe: slow on a shared machine.
        }, 240_000);
      }
    }
  });

  async function check(web: WebPage, path: string, width: number, scheme: string) {
    await web.page.goto(`${t.url}${path}`);
    await web.page.locator('main h1').first().waitFor();
    await web.page.waitForLoadState('networkidle');
    const name = `${path.slice(1).split('?')[0].replace(/\//g, '-')}-${width}-${scheme}`;
    await screenshot(web.page, name);
    const violations = await seriousA11yViolations(web.page);
    expect({ page: name, violations }).toEqual({ page: name, violations: [] });
    const overflow = await web.page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect({ page: name, overflow }).toEqual({ page: name, overflow: 0 });
  }
});
