import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import { CREDITS_TEST_ENV } from './credits';
import { freePort } from './free-port';
import { startTestApp, TestApp } from './test-app';

/**
 * The web app's browser tests start the same way: one real server with the credit API (and a
 * rate limit no test reaches) and one Chromium for the whole file, both closed after it.
 */
export function useBrowserApp(): { readonly t: TestApp; readonly browser: Browser } {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        PORT: String(await freePort()),
        RATE_LIMIT_PER_MINUTE: '1000000',
        ...CREDITS_TEST_ENV,
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  return {
    get t() {
      return t;
    },
    get browser() {
      return browser;
    },
  };
}
