import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually } from './eventually';

export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'web');

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface WebPage {
  context: BrowserContext;
  page: Page;
  /** console.error lines, page errors, failed requests and unexpected HTTP errors, as they came. */
  problems: string[];
  close(): Promise<void>;
}

export interface WebPageOptions {
  width?: number;
  colorScheme?: 'light' | 'dark';
  locale?: string;
  /** HTTP errors the test provokes on purpose, as `status path` (e.g. `401 /api/auth/browser/login`). */
  allowHttpErrors?: RegExp[];
}

/**
 * A fresh browser context on the web app with everything that would be a bug collected in
 * `problems`: any console.error, any uncaught error, any request that failed and any 4xx/5xx
 * response the test did not announce. Tests end with `expect(problems).toEqual([])`.
 */
export async function openWebPage(
  browser: Browser,
  options: WebPageOptions = {},
): Promise<WebPage> {
  const width = options.width ?? 1280;
  const context = await browser.newContext({
    viewport: { width, height: width < 500 ? 740 : 900 },
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
    ...(width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed = options.allowHttpErrors ?? [];
  const isAllowed = (status: number | string, url: string) =>
    allowed.some((pattern) => pattern.test(`${status} ${new URL(url).pathname}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium also logs each 4xx/5xx response; an announced one is not a bug.
    const status = /^Failed to load resource: .* status of (\d+)/.exec(message.text())?.[1];
    if (status && isAllowed(status, message.location().url)) return;
    problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (req) => {
    // A navigation away aborts what the old page still loaded; that is not a failure.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !isAllowed(res.status(), res.url())) {
      problems.push(`HTTP ${res.status()} ${new URL(res.url()).pathname}`);
    }
  });
  return { context, page, problems, close: () => context.close() };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core run in the page (evaluated through the DevTools protocol, so the page's CSP, which
 * forbids inline scripts, stays on). Returns the serious and critical violations only.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(`${AXE_SOURCE};undefined`);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({ target: n.target })) })))`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until the element with this test id shows exactly `text`. */
export async function expectText(page: Page, testId: string, text: string): Promise<void> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await page
    .getByTestId(testId)
    .filter({ hasText: new RegExp(`^\\s*${escaped}\\s*$`) })
    .waitFor();
}

/**
 * Waits until the page's address matches `url`. When it does not, the error says where the page
 * stayed, the alerts it shows and the problems collected so far: after a form's submit, a refusal
 * shown on the page is the usual reason, and a bare timeout would not say it.
 */
export async function arrivesAt(web: WebPage, url: RegExp): Promise<void> {
  try {
    await web.page.waitForURL(url);
  } catch (error) {
    const alerts = await web.page
      .getByRole('alert')
      .allTextContents()
      .catch((reason: Error) => [`(alerts not read: ${reason.message})`]);
    throw new Error(
      `${(error as Error).message}\nThe page stayed at ${web.page.url()}; alerts: ${JSON.stringify(alerts)}; problems: ${JSON.stringify(web.problems)}`,
    );
  }
}

/**
 * The dialog's open transition has ended: it is fully opaque and nothing animates (axe measures
 * colours as they are on screen, and a half-faded button has too little contrast).
 */
export async function dialogSettled(page: Page): Promise<void> {
  await eventually(async () =>
    expect(
      await page.evaluate<boolean>(`(() => {
        const dialog = document.querySelector('[role="dialog"]');
        return !!dialog && getComputedStyle(dialog).opacity === '1' &&
          document.getAnimations().every((a) => a.playState !== 'running');
      })()`),
    ).toBe(true),
  );
}
