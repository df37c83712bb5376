import type { Page } from 'playwright-core';
import { useBrowserApp } from '../support/browser-app';
import { describeWithChromium } from '../support/chromium';
import { request } from '../support/contract';
import { accessTokenFor } from '../support/users';
import {
  dialogSettled,
  expectText,
  openWebPage,
  screenshot,
  seriousA11yViolations,
  WebPageOptions,
} from '../support/web-page';
import { signIn, webUser } from '../support/web-users';

/**
 * Connected apps (issues 17 and 19): an admin grants an integration spending for a user in the
 * console; the user sees it with its cap and what it spent, lowers the cap and revokes it in the
 * web app, and the API enforces each step. Screens at 1280 and 375 px, axe-clean, no errors.
 */
describeWithChromium('Connected apps in headless Chromium', () => {
  const app = useBrowserApp();

  async function signedIn(fields: Parameters<typeof webUser>[1], options: WebPageOptions = {}) {
    const user = await webUser(app.t, fields);
    const web = await openWebPage(app.browser, options);
    await signIn(app.t, web, user.email);
    return { user, web, page: web.page };
  }

  /** An integration key acting only for users who granted it (user_scope `granted`). */
  async function integrationKey(adminToken: string, name: string): Promise<string> {
    const res = await request(app.t.server)
      .post('/api/admin/api-keys')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ name, scopes: ['credits:check', 'credits:deduct'], user_scope: 'granted' })
      .expect(201);
    return (res.body as { key: string }).key;
  }

  /** No serious axe violation, and nothing wider than the screen. */
  async function checkPage(page: Page) {
    expect(await seriousA11yViolations(page)).toEqual([]);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBe(0);
  }

  for (const width of [1280, 375]) {
    it(`${width} px: admin grants in the console; the user sees it, lowers the cap, revokes it`, async () => {
      const clientId = `acme-video-${width}`;
      const admin = await signedIn({ role: 'admin' }, { width });
      const customer = await signedIn({ credits: '100', name: 'Napat Wongsa' }, { width });
      const adminToken = await accessTokenFor(app.t, admin.user, 'admin');
      const userToken = await accessTokenFor(app.t, customer.user, 'user');
      const key = await integrationKey(adminToken, clientId);
      const deduct = (cost: string) =>
        request(app.t.server)
          .post('/api/mcp/v1/credits/deduct')
          .set({ 'X-API-Key': key, 'X-User-ID': customer.user.id })
          .send({ service: 'video', cost });
      try {
        // Without a grant the key may not charge this user.
        await deduct('1').expect(403);

        // 1. The admin grants it in the console: 50 a day.
        const a = admin.page;
        await a.goto(`${app.t.url}/admin/grants`);
        const form = a.getByTestId('grant-create');
        await form.getByRole('textbox', { name: 'User id' }).fill(customer.user.id);
        await form.getByRole('textbox', { name: 'App (client id)' }).fill(clientId);
        await form.getByRole('textbox', { name: 'Cap (credits)' }).fill('50');
        await form.getByRole('button', { name: 'Grant', exact: true }).click();
        await a
          .getByTestId('admin-grants')
          .getByRole('row', { name: new RegExp(clientId) })
          .getByText('Active')
          .waitFor();
        await screenshot(a, `admin-grants-${width}`);
        await checkPage(a);
        await deduct('12.5').expect(200);

        // 2. The user sees it: cap, spent this period, last used.
        const p = customer.page;
        await p.goto(`${app.t.url}/services`);
        const card = p.getByRole('listitem', { name: clientId });
        await expectText(p, 'grant-cap', '50 per day');
        await expectText(p, 'grant-spent', '12.5');
        await card.getByText('see your balance, spend credits').waitFor();
        expect(await card.getByText('Never').count()).toBe(0);
        await screenshot(p, `connected-apps-${width}`);
        await checkPage(p);

        // 3. Lowers the cap to 10: the API has it, and the next deduct is over it.
        await card.getByRole('button', { name: `Change cap of ${clientId}` }).click();
        const dialog = p.getByRole('dialog', { name: `Change cap of ${clientId}` });
        await dialog.getByRole('textbox', { name: 'Cap (credits)' }).fill('10');
        await dialogSettled(p);
        await screenshot(p, `connected-apps-cap-${width}`);
        expect(await seriousA11yViolations(p)).toEqual([]);
        await dialog.getByRole('button', { name: 'Save' }).click();
        await dialog.waitFor({ state: 'detached' });
        await expectText(p, 'grant-cap', '10 per day');
        const mine = await request(app.t.server)
          .get('/api/grants')
          .set('Authorization', `Bearer ${userToken}`)
          .expect(200);
        expect(mine.body).toMatchObject({ items: [{ client_id: clientId, period_cap: '10' }] });
        const over = await deduct('1').expect(402);
        expect(over.body.message).toMatch(/grant/i);

        // 4. Revokes it after a confirmation: gone from the page, revoked in the API, refused.
        await card.getByRole('button', { name: `Revoke ${clientId}` }).click();
        const confirm = p.getByRole('dialog', { name: `Revoke ${clientId}` });
        await confirm.getByText('will no longer be able to use your credits').waitFor();
        await dialogSettled(p);
        await screenshot(p, `connected-apps-revoke-${width}`);
        expect(await seriousA11yViolations(p)).toEqual([]);
        await confirm.getByRole('button', { name: 'Revoke access' }).click();
        await p.getByText('No app may spend your credits.').waitFor();
        const all = await request(app.t.server)
          .get('/api/admin/grants')
          .query({ user_id: customer.user.id, include_revoked: 'true' })
          .set('Authorization', `Bearer ${adminToken}`)
          .expect(200);
        const grants = (all.body as { items: { client_id: string; revoked_at: string | null }[] })
          .items;
        expect(grants).toHaveLength(1);
        expect(grants[0].revoked_at).not.toBeNull();
        await deduct('1').expect(403);

        expect(admin.web.problems).toEqual([]);
        expect(customer.web.problems).toEqual([]);
      } finally {
        await admin.web.close();
        await customer.web.close();
      }
    }, 180_000);
  }

  it('shows the Connected apps card in Thai', async () => {
    const { web, page } = await signedIn({ credits: '5' }, { locale: 'th-TH' });
    try {
      await page.goto(`${app.t.url}/services`);
      await page.getByRole('heading', { name: 'แอปที่เชื่อมต่อ' }).waitFor();
      await page.getByText('ยังไม่มีแอปที่ใช้เครดิตของคุณได้').waitFor();
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });
});
