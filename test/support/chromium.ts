import { existsSync } from 'node:fs';
import { CHROMIUM } from './chromium-browser';

export { CHROMIUM, launchChromium } from './chromium-browser';

/** `describe` when chromium is installed; elsewhere the suite is skipped, but under CI=true it fails. */
export function describeWithChromium(name: string, suite: () => void): void {
  (existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip)(name, suite);
}
