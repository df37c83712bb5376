import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium: never installed or downloaded from here (.ci/run installs it before `npm test`). */
export const CHROMIUM = '/usr/bin/chromium';

/** `describe` when chromium is installed; elsewhere the suite is skipped, but under CI=true it fails. */
export function describeWithChromium(name: string, suite: () => void): void {
  (existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip)(name, suite);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
