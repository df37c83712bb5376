import { Browser, chromium } from 'playwright-core';

/** Debian's chromium: never installed or downloaded from here (.ci/run installs it before `npm test`). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium for the browser tests and `npm run bench:web`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
