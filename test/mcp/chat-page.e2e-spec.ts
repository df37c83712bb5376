import { Browser, Page } from 'playwright-core';
import { ledgerUnits } from '../../src/mcp/pricing';
import { fundedUser, ledgerOf } from '../support/credit-users';
import { urlOf } from '../support/mcp-client';
import { startTestApp, TestApp } from '../support/test-app';
import { Fakes, fakeProviderEnv, insertTestModels, startFakes } from './mcp-test-env';
import { describeWithChromium, launchChromium } from '../support/chromium';

/** Polls an element's text until `ready` holds (the page's CSP forbids evaluated strings). */
async function textOf(page: Page, selector: string, ready: (text: string) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = (await page.textContent(selector)) ?? '';
    if (ready(text)) return text;
    if (Date.now() > deadline) throw new Error(`${selector} never got ready: "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithChromium('GET /chat in headless Chromium', () => {
  let fakes: Fakes;
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    fakes = await startFakes();
    t = await startTestApp({ env: fakeProviderEnv(fakes) });
    await insertTestModels(t);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
    await fakes.close();
  });

  it('signs in with a session code, streams an answer token by token and shows cost and balance', async () => {
    const user = await fundedUser(t, '5');
    fakes.openai.behave({
      chunks: ['Streamed', ' from', ' the', ' fake', ' model'],
      chunkDelayMs: 60,
      inputTokens: 10,
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${urlOf(t.server)}/chat`);
    await page.fill('#code', user.sessionToken);
    await page.click('#use-code');
    await page.waitForSelector('#chat:not([disabled])');
    await page.selectOption('#model', 't-gpt');
    await expect(page.textContent('#price')).resolves.toBe('1 in / 2 out per 1,000 tokens');
    await page.fill('#prompt', 'Tell me something');
    await page.click('#send');
    // Token by token: a partial answer is visible before the whole one.
    await textOf(page, '#output', (text) => text.startsWith('Streamed') && text.length < 28);
    await textOf(page, '#balance', (text) => text !== '–');
    expect(await page.textContent('#output')).toBe('Streamed from the fake model');
    // 10 × 1/1000 + 5 × 2/1000 = 0.02
    expect(await page.textContent('#cost')).toBe('0.02');
    expect(await page.textContent('#balance')).toBe('4.98');
    expect((await ledgerOf(t, user.id)).balance).toBe('4.9800');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stops a stream with the stop button', async () => {
    const user = await fundedUser(t, '5');
    fakes.openai.behave({ chunks: Array.from({ length: 100 }, () => ' tick'), chunkDelayMs: 40 });
    const page = await browser.newPage();
    await page.goto(`${urlOf(t.server)}/chat`);
    await page.fill('#code', user.sessionToken);
    await page.click('#use-code');
    await page.waitForSelector('#chat:not([disabled])');
    await page.selectOption('#model', 't-gpt');
    await page.fill('#prompt', 'Count');
    await page.click('#send');
    await textOf(page, '#output', (text) => text.length > 10);
    await page.click('#stop');
    await textOf(page, '#status', (text) => text.startsWith('CANCELLED'));
    const cost = await page.textContent('#cost');
    const charged = (await ledgerOf(t, user.id)).chatRows;
    expect(charged).toHaveLength(1);
    expect(ledgerUnits(String(charged[0].amount).slice(1))).toBe(ledgerUnits(cost!));
    expect(fakes.openai.requests[0].chunksSent).toBeLessThan(100);
    await page.close();
  });
});
