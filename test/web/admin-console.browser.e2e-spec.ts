import { readFileSync } from 'node:fs';
import { request } from '../support/contract';
import { GrantsService } from '../../src/grants/grants.service';
import { auditRows } from '../support/admin';
import { useBrowserApp } from '../support/browser-app';
import { describeWithChromium } from '../support/chromium';
import { accountFacts, asSora2 } from '../support/credits';
import { eventually } from '../support/eventually';
import { accessTokenFor } from '../support/users';
import {
  arrivesAt,
  expectText,
  openWebPage,
  screenshot,
  seriousA11yViolations,
  WebPageOptions,
} from '../support/web-page';
import { signIn, webUser } from '../support/web-users';

/**
 * The admin console in Debian's Chromium against the real server (issue 18): top-ups with one
 * ledger row per opened form, the 403 page for everybody else, a disabled admin signed out at
 * once, integration keys, batch promo codes, and every page at 1280 and 375 px under axe-core.
 */
describeWithChromium('Admin console in headless Chromium', () => {
  const app = useBrowserApp();

  async function signedIn(
    fields: Parameters<typeof webUser>[1] = {},
    options: WebPageOptions = {},
  ) {
    const user = await webUser(app.t, { credits: '10', ...fields });
    const web = await openWebPage(app.browser, options);
    await signIn(app.t, web, user.email);
    return { user, web, page: web.page };
  }

  const balanceOf = async (userId: string) =>
    Number((await accountFacts(app.t.database, userId)).balance);

  it('finds a user and tops up 50: one ledger row, one audit row; a double submit adds nothing more', async () => {
    const customer = await webUser(app.t, { credits: '10', name: 'Malee Srisuk' });
    const { web, page } = await signedIn({ role: 'admin' });
    try {
      await page.goto(`${app.t.url}/admin/users`);
      await page.getByRole('searchbox', { name: 'Search by email or name' }).fill('Malee');
      await page.getByTestId('admin-users').getByRole('link', { name: customer.email }).click();
      await expectText(page, 'admin-credits-balance', '10');

      const form = page.getByTestId('form-top-up');
      await form.getByLabel('Amount').fill('50');
      await form.getByLabel('Reason').fill('Bank transfer 1234');
      await form.getByRole('button', { name: 'Top up' }).click();
      await form.getByTestId('credit-result').waitFor();
      await expectText(page, 'admin-credits-balance', '60');
      expect(await balanceOf(customer.id)).toBe(60);
      const topups = () =>
        app.t.database.query('SELECT 1 FROM credit_transactions WHERE user_id = $1 AND type = $2', [
          customer.id,
          'topup',
        ]);
      // webUser's own seed is one topup row; the form added exactly one more.
      expect(await topups()).toHaveLength(2);
      const audit = (await auditRows(app.t, 'credits.topup')).filter(
        (a) => a.target_id === customer.id,
      );
      expect(audit).toHaveLength(1);
      // The user's audit trail on the page shows it.
      await page.getByText('credits.topup').first().waitFor();

      // The same form submitted twice in one go (a double click before it disables): both
      // requests carry the form's one Idempotency-Key, so one row.
      await form.getByLabel('Amount').fill('5');
      await form.getByLabel('Reason').fill('Double click');
      const sent: string[] = [];
      page.on('request', (req) => {
        if (req.url().endsWith('/credits/top-up')) sent.push(req.headers()['idempotency-key']);
      });
      await page.evaluate(
        `(() => { const f = document.querySelector('[data-testid="form-top-up"]'); f.requestSubmit(); f.requestSubmit(); })()`,
      );
      await eventually(() => expect(sent).toHaveLength(2));
      expect(sent[0]).toBe(sent[1]);
      await eventually(async () => expect(await balanceOf(customer.id)).toBe(65));
      await form.getByTestId('credit-result').waitFor();
      expect(await topups()).toHaveLength(3);
      expect(await balanceOf(customer.id)).toBe(65);
      expect(web.problems.filter((p) => !/HTTP 409 /.test(p))).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('shows a plain user the 403 page; the admin bundle and the admin API are never requested', async () => {
    const { web, page } = await signedIn();
    const requested: string[] = [];
    page.on('request', (req) => requested.push(new URL(req.url()).pathname));
    try {
      await page.goto(`${app.t.url}/admin/users`);
      await page.getByTestId('forbidden').waitFor();
      await page.waitForLoadState('networkidle');
      expect(requested.filter((p) => /AdminApp|\/api\/admin/.test(p))).toEqual([]);
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('signs out a disabled admin at once, on whatever admin page they are', async () => {
    const operator = await webUser(app.t, { role: 'admin' });
    const { user, web, page } = await signedIn(
      { role: 'admin' },
      { allowHttpErrors: [/^40[13] \/api\/auth\/browser\/refresh$/] },
    );
    try {
      await page.goto(`${app.t.url}/admin/system`);
      await page.getByRole('heading', { name: 'Admin' }).waitFor();
      await page.evaluate('window.__sameDocument = true');
      const token = await accessTokenFor(app.t, operator, 'admin');
      await request(app.t.server)
        .patch(`/api/admin/users/${user.id}`)
        .set('Authorization', `Bearer ${token}`)
        .send({ status: 'disabled' })
        .expect(200);
      // No click, no navigation: the server cut the socket and the tab found out.
      await arrivesAt(web, /\/signin\?next=%2Fadmin%2Fsystem/);
      expect(await page.evaluate('window.__sameDocument')).toBe(true);
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('creates an integration key shown once, which works on the credit API until revoked', async () => {
    const customer = await webUser(app.t, { credits: '10' });
    const { web, page } = await signedIn({ role: 'admin' });
    try {
      await page.goto(`${app.t.url}/admin/keys`);
      await page.getByRole('textbox', { name: 'Name' }).fill('console-test-key');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      const shown = page.getByTestId('new-key');
      await shown.getByText('it will not be shown again').waitFor();
      const key = (await shown.getByTestId('new-key-value').textContent())!.trim();
      const deduct = () =>
        request(app.t.server)
          .post('/api/mcp/v1/credits/deduct')
          .set({ 'X-API-Key': key, 'X-User-ID': customer.id })
          .send({ service: 'video', cost: '1' });
      // A new key acts only for users who granted its integration (user_scope `granted`).
      await deduct().expect(403);
      await app.t.app.get(GrantsService).grant({
        userId: customer.id,
        clientType: 'integration',
        clientId: 'console-test-key',
        scopes: ['credits:read', 'credits:spend'],
        caps: { period: 'month', periodCap: null, totalCap: null },
        source: 'admin',
      });
      await deduct().expect(200);

      const row = page.getByTestId('admin-keys').getByRole('row', { name: /console-test-key/ });
      // Revoking asks first, naming the key.
      await row.getByRole('button', { name: 'Revoke' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Revoke the integration key “console-test-key”?').waitFor();
      await dialog.getByRole('button', { name: 'Revoke' }).click();
      await row.getByText('Revoked').waitFor();
      await deduct().expect(401);
      // Shown once: after a reload the page has only its prefix.
      await page.reload();
      await page.getByTestId('admin-keys').getByText('console-test-key').waitFor();
      expect(await page.content()).not.toContain(key);
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('downloads a batch of promo codes as CSV, and each code redeems', async () => {
    const { web, page } = await signedIn({ role: 'admin' });
    try {
      await page.goto(`${app.t.url}/admin/promo-codes`);
      const form = page.getByTestId('promo-batch');
      await form.getByLabel('Prefix').fill('CONSOLE');
      await form.getByLabel('Amount').fill('5');
      await form.getByLabel('How many (≤ 1,000)').fill('3');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        form.getByRole('button', { name: 'Create and download CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('promo-codes.csv');
      const csv = readFileSync(await download.path(), 'utf8');
      const codes = csv
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((line) => line.split(',')[0].replace(/"/g, ''));
      expect(codes).toHaveLength(3);
      expect(codes.every((c) => c.startsWith('CONSOLE'))).toBe(true);

      const redeemer = await webUser(app.t, { credits: '0' });
      const token = await accessTokenFor(app.t, redeemer, 'user');
      for (const code of codes) {
        await request(app.t.server)
          .post('/api/credits/redeem')
          .set('Authorization', `Bearer ${token}`)
          .send({ code })
          .expect(200);
      }
      expect(await balanceOf(redeemer.id)).toBe(15);
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  it('shows usage totals equal to what the usage API answers for the same range', async () => {
    const customer = await webUser(app.t, { credits: '40' });
    await asSora2(app.t, 'deduct', customer.id, { service: 'video', cost: '12.5' }).expect(200);
    const { user, web, page } = await signedIn({ role: 'admin' });
    try {
      await page.goto(`${app.t.url}/admin/usage`);
      const shown = await page.getByTestId('usage-totals').textContent();
      // The page's default range: the last 30 days up to the end of today (UTC days).
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const range = {
        from: `${day(Date.now() - 30 * 86_400_000)}T00:00:00Z`,
        to: `${day(Date.now() + 86_400_000)}T00:00:00Z`,
      };
      const token = await accessTokenFor(app.t, user, 'admin');
      const res = await request(app.t.server)
        .get('/api/admin/usage')
        .query({ group_by: 'day', ...range })
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      const rows = res.body as {
        credits_spent: string;
        credits_added: string;
        transactions: number;
      }[];
      const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0);
      const n = (x: number) =>
        new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }).format(x);
      const spent = sum((r) => Number(r.credits_spent));
      expect(spent).toBeGreaterThanOrEqual(12.5);
      expect(shown).toBe(
        `Total: ${n(spent)} spent, ${n(sum((r) => Number(r.credits_added)))} added, ${sum((r) => r.transactions)} ledger rows`,
      );
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  describe('every admin page, 1280 and 375 px', () => {
    const PAGES = [
      'users',
      'user',
      'transactions',
      'promo-codes',
      'keys',
      'grants',
      'oauth-clients',
      'models',
      'usage',
      'audit',
      'system',
    ];
    for (const width of [1280, 375]) {
      it(`${width} px: screenshots, no serious axe violations, no errors`, async () => {
        const customer = await webUser(app.t, { credits: '25', name: 'Somchai Jaidee' });
        const { web, page } = await signedIn({ role: 'admin' }, { width });
        try {
          for (const section of PAGES) {
            const path = section === 'user' ? `users/${customer.id}` : section;
            await page.goto(`${app.t.url}/admin/${path}`);
            await page.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
            await page.waitForLoadState('networkidle');
            // Every loader gone (a page may show several at once, e.g. the usage charts). Counted
            // by a locator: waitForFunction evals its predicate, which the app's CSP can refuse.
            await eventually(async () =>
              expect(await page.locator('[role="status"] .mantine-Loader-root').count()).toBe(0),
            );
            const name = `admin-${section}-${width}`;
            await screenshot(page, name);
            const violations = await seriousA11yViolations(page);
            expect({ page: name, violations }).toEqual({ page: name, violations: [] });
            const overflow = await page.evaluate<number>(
              'document.documentElement.scrollWidth - window.innerWidth',
            );
            expect({ page: name, overflow }).toEqual({ page: name, overflow: 0 });
          }
          expect(web.problems).toEqual([]);
        } finally {
          await web.close();
        }
        // Eleven pages, each loaded, screenshotted and checked by axe: slow on a shared machine.
      }, 240_000);
    }
  });
});
