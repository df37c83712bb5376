import { useBrowserApp } from '../support/browser-app';
import { describeWithChromium } from '../support/chromium';
import { request } from '../support/contract';
import { eventually } from '../support/eventually';
import { accessTokenFor } from '../support/users';
import { openWebPage, screenshot, seriousA11yViolations } from '../support/web-page';
import { signIn, webUser } from '../support/web-users';
interface Listed {
  client_id: string;
  client_name: string;
  client_type: string;
  redirect_uris: string[];
  pkce_required: boolean;
  default_grant: { period: string; period_cap: string | null };
}

/**
 * OAuth clients in the admin console (issue 19): an admin registers a confidential client, sees
 * its secret once, edits it and deletes it after confirming; the admin API agrees at each step.
 * At 1280 and 375 px, axe-clean, no console errors.
 */
describeWithChromium('Admin console: OAuth clients in headless Chromium', () => {
  const app = useBrowserApp();

  it('disables a user only after the shared confirmation dialog (AdminUsers uses it too)', async () => {
    const admin = await webUser(app.t, { role: 'admin' });
    const customer = await webUser(app.t, { credits: '5' });
    const web = await openWebPage(app.browser);
    const page = web.page;
    const status = async () =>
      (
        await app.t.database.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [
          customer.id,
        ])
      )[0].status;
    try {
      await signIn(app.t, web, admin.email);
      await page.goto(`${app.t.url}/admin/users/${customer.id}`);
      await page.getByRole('button', { name: 'Disable' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText(`Disable ${customer.email}?`).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect(await status()).toBe('active');
      await page.getByRole('button', { name: 'Disable' }).click();
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('button', { name: 'Enable' }).waitFor();
      expect(await status()).toBe('disabled');
      expect(web.problems).toEqual([]);
    } finally {
      await web.close();
    }
  });

  for (const width of [1280, 375]) {
    it(`${width} px: registers a confidential client (secret shown once), edits it, deletes it`, async () => {
      const name = `Console GPT ${width}`;
      const redirect = `https://chat.example.com/aip/g-${width}/oauth/callback`;
      const admin = await webUser(app.t, { role: 'admin' });
      const token = await accessTokenFor(app.t, admin, 'admin');
      const listed = async () =>
        (
          (
            await request(app.t.server)
              .get('/api/admin/oauth/clients')
              .set('Authorization', `Bearer ${token}`)
              .expect(200)
          ).body as { items: Listed[] }
        ).items.filter((c) => c.client_name.startsWith(name));
      const web = await openWebPage(app.browser, { width });
      const page = web.page;
      try {
        await signIn(app.t, web, admin.email);
        await page.goto(`${app.t.url}/admin/oauth-clients`);
        const form = page.getByTestId('oauth-create');
        await form.getByRole('textbox', { name: 'Name' }).fill(name);
        await form.getByRole('textbox', { name: 'Redirect URIs' }).fill(redirect);
        await form.getByRole('radio', { name: /^Confidential/ }).check();
        await form.getByRole('checkbox', { name: 'Require PKCE' }).uncheck();
        await form.getByRole('textbox', { name: 'Default cap (credits)' }).fill('25');
        await form.getByRole('button', { name: 'Create', exact: true }).click();

        const shown = page.getByTestId('new-oauth-secret');
        await shown.getByText('it will not be shown again').waitFor();
        await shown.getByRole('button', { name: 'Copy' }).waitFor();
        const secret = (await shown.getByTestId('new-oauth-secret-value').textContent())!.trim();
        const clientId = (await shown.getByTestId('new-oauth-client-id').textContent())!.trim();
        expect(secret.length).toBeGreaterThan(20);

        const [created] = await listed();
        expect(created).toMatchObject({
          client_id: clientId,
          client_name: name,
          client_type: 'confidential',
          redirect_uris: [redirect],
          pkce_required: false,
          default_grant: { period: 'day', period_cap: '25' },
        });
        const row = page
          .getByTestId('admin-oauth-clients')
          .getByRole('row', { name: /Console GPT/ });
        await row.getByText(redirect).waitFor();
        await screenshot(page, `admin-oauth-clients-${width}`);
        expect(await seriousA11yViolations(page)).toEqual([]);
        expect(
          await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
        ).toBe(0);

        // Edit: a second redirect URI and a new name; the client id and type stay.
        await row.getByRole('button', { name: 'Edit' }).click();
        const edit = page.getByTestId('oauth-edit');
        await edit.getByRole('textbox', { name: 'Name' }).fill(`${name} v2`);
        await edit
          .getByRole('textbox', { name: 'Redirect URIs' })
          .fill(`${redirect}\nhttps://chat.example.com/second`);
        await edit.getByRole('button', { name: 'Save' }).click();
        await edit.waitFor({ state: 'detached' });
        await eventually(async () =>
          expect(await listed()).toMatchObject([
            {
              client_id: clientId,
              client_name: `${name} v2`,
              client_type: 'confidential',
              redirect_uris: [redirect, 'https://chat.example.com/second'],
            },
          ]),
        );

        // Shown once: after a reload the page no longer has the secret.
        await page.reload();
        await row.getByText(`${name} v2`).waitFor();
        expect(await page.content()).not.toContain(secret);

        // Delete, after confirming.
        await row.getByRole('button', { name: 'Delete' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(`Delete ${name} v2?`).waitFor();
        await dialog.getByRole('button', { name: 'Delete' }).click();
        await row.waitFor({ state: 'detached' });
        expect(await listed()).toEqual([]);
        expect(web.problems).toEqual([]);
      } finally {
        await web.close();
      }
    }, 120_000);
  }
});
