import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { request } from '../support/contract';
import { FakeGoogle } from '../support/fake-google';
import { freePort } from '../support/free-port';
import { startTestApp, TestApp } from '../support/test-app';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { eventually } from '../support/eventually';

const OUTPUT = join(__dirname, '..', '..', 'test-output');

/**
 * The VERIFIED page in a real browser (Debian's chromium driven by playwright-core; nothing is
 * ever downloaded): visible code, copy button → clipboard holds exactly the code, "copied"
 * confirmation, phone width, no CSP violations, and usable without JavaScript.
 */
describeWithChromium('Success page in headless Chromium', () => {
  let google: FakeGoogle;
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    google = await FakeGoogle.start();
    const port = await freePort();
    t = await startTestApp({
      env: {
        PORT: String(port),
        ...google.env(`http://127.0.0.1:${port}/api/auth/google/callback`),
      },
    });
    browser = await launchChromium();
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await google?.close();
  });

  it('shows the code, copies exactly it, confirms visibly, and fits 375 px', async () => {
    google.nextUser = {
      sub: 'g-browser',
      email: 'browser@gmail.com',
      email_verified: true,
      name: 'สมชาย ใจดี',
    };
    const context = await browser.newContext({
      viewport: { width: 375, height: 667 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'th-TH',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // The whole redirect chain in the browser: hub → fake Google → callback page.
    const response = await page.goto(
      `${t.url}/api/auth/google?session=browser-1&return_to=chatgpt`,
    );
    expect(response!.status()).toBe(200);
    expect(page.url()).toMatch(/\/api\/auth\/google\/callback\?/);
    expect(page.url()).not.toContain('VERIFIED-');
    expect(await page.title()).toBe('Login สำเร็จ - Smart AI Hub');
    expect(await page.getAttribute('html', 'lang')).toBe('th');

    const codeElement = page.locator('#code');
    await expect(codeElement.isVisible()).resolves.toBe(true);
    const code = (await codeElement.textContent())!.trim();
    expect(code).toMatch(/^VERIFIED-[A-Za-z0-9_-]{43}$/);
    // In-page expressions are strings: this Node test has no DOM types.
    const fontSize = await page.evaluate<number>(
      "parseFloat(getComputedStyle(document.getElementById('code')).fontSize)",
    );
    expect(fontSize).toBeGreaterThanOrEqual(20); // "large type"

    // Holds at phone width: nothing wider than the viewport, the code box inside it.
    const widths = await page.evaluate<Record<string, number>>(`({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      code: document.getElementById('code').getBoundingClientRect().right,
      button: document.getElementById('copy').getBoundingClientRect().right,
    })`);
    expect(widths.client).toBe(375);
    expect(widths.scroll).toBeLessThanOrEqual(375);
    expect(widths.code).toBeLessThanOrEqual(375);
    expect(widths.button).toBeLessThanOrEqual(375);

    const button = page.locator('#copy');
    await expect(button.isVisible()).resolves.toBe(true);
    await button.click();
    // Read through a locator: waitForFunction evals its predicate, which the page's CSP can refuse.
    await eventually(async () =>
      expect(await page.locator('#status').textContent()).toBe('✓ คัดลอกรหัสแล้ว'),
    );
    expect(await page.locator('#status').isVisible()).toBe(true);
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(code);

    await page.screenshot({ path: join(OUTPUT, 'success-page-375.png'), fullPage: true });
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);

    const verified = await request(t.server)
      .get('/api/auth/verify-session')
      .set('X-Session-Token', code);
    expect(verified.status).toBe(200);
    await context.close();
  });

  it('falls back to selecting the code and saying "press Ctrl+C" without the Clipboard API', async () => {
    google.nextUser = { sub: 'g-fallback', email: 'fallback@gmail.com', email_verified: true };
    const context = await browser.newContext({ viewport: { width: 375, height: 667 } });
    // A browser without the asynchronous Clipboard API (older or locked-down ones).
    await context.addInitScript(
      "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });",
    );
    const page = await context.newPage();
    await page.goto(`${t.url}/api/auth/google?session=fallback-1`);
    const code = (await page.locator('#code').textContent())!.trim();
    await page.locator('#copy').click();
    expect(await page.locator('#status').textContent()).toContain('Ctrl+C');
    expect(await page.evaluate<string>('window.getSelection().toString().trim()')).toBe(code);
    await page.screenshot({ path: join(OUTPUT, 'success-page-fallback.png') });
    await context.close();
  });

  it('works without JavaScript: the code is visible and selectable, the hint says how to copy', async () => {
    google.nextUser = { sub: 'g-nojs', email: 'nojs@gmail.com', email_verified: true };
    const context = await browser.newContext({
      viewport: { width: 375, height: 667 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${t.url}/api/auth/google?session=nojs-1`);
    const code = page.locator('#code');
    expect(await code.isVisible()).toBe(true);
    expect((await code.textContent())!.trim()).toMatch(/^VERIFIED-/);
    expect(
      await page.evaluate<string>("getComputedStyle(document.getElementById('code')).userSelect"),
    ).not.toBe('none');
    expect(await page.locator('#copy').isVisible()).toBe(false); // no dead button
    expect(await page.locator('noscript').count()).toBe(1);
    expect(await page.content()).toContain('กด Ctrl+C');
    await page.screenshot({ path: join(OUTPUT, 'success-page-nojs.png') });
    await context.close();
  });
});
