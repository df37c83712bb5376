import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite' with { 'resolution-mode': 'import' };
import { TokenEstimator } from './token-estimator';

/* eslint-disable @typescript-eslint/no-require-imports */
/** js-tiktoken's own o200k encoder, the reference the estimator must agree with. */
function referenceEncoder(): Tiktoken {
  const { Tiktoken } = require('js-tiktoken/lite') as {
    Tiktoken: new (ranks: TiktokenBPE) => Tiktoken;
  };
  return new Tiktoken(require('js-tiktoken/ranks/o200k_base') as TiktokenBPE);
}
/* eslint-enable @typescript-eslint/no-require-imports */

const cjk = (n: number) =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20_000))).join('');
const letters = (n: number) =>
  Array.from({ length: n }, (_, i) => 'abcdefghijklmnopqrstuvwxyz'[(i * 31) % 26]).join('');

describe('TokenEstimator', () => {
  const estimator = new TokenEstimator();
  const reference = referenceEncoder();
  const exact = (text: string) => reference.encode(text, [], []).length;

  it('counts text with the o200k encoding', async () => {
    await expect(estimator.count('')).resolves.toBe(0);
    await expect(estimator.count('Hello')).resolves.toBe(1);
    await expect(estimator.count('Hello from the fake')).resolves.toBe(4);
  });

  it('counts with its one compiled pattern, never a copy of it', async () => {
    // A copy (what String.prototype.matchAll makes) compiles the pattern again once V8's cache
    // has aged out: ~5 ms in the first chat after the server idled.
    const text = 'Count to one hundred, one word per number.';
    const expected = exact(text);
    const copies = jest.spyOn(RegExp.prototype, Symbol.matchAll);
    try {
      await expect(estimator.count(text)).resolves.toBe(expected);
      expect(copies).not.toHaveBeenCalled();
    } finally {
      copies.mockRestore();
    }
  });

  it("agrees exactly with js-tiktoken's encoder on prose, code and mixed scripts", async () => {
    const root = join(__dirname, '..', '..');
    const texts = [
      readFileSync(join(root, 'README.md'), 'utf8'),
      readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'),
      readFileSync(join(__dirname, 'chat.service.ts'), 'utf8'),
      'สวัสดีครับ ยินดีต้อนรับสู่ Smart AI Hub — 日本語のテキスト。😀👍🏽 1234567 !!!\n\n  x',
      // One pre-token of 200 CJK characters: hundreds of merges inside one window.
      cjk(200),
      'aaaa'.repeat(50),
      // A JSON line without a space running past the window's limit (README's verify-session
      // example): the window ends at the space before it, not inside its last token.
      `h/verify-session -H 'X-Session-Token: VERIFIED-…'\n# 200 {"success":true,"user":{"id":"…",` +
        `"email":"somchai@example.com","name":"Somchai","expires_at":"2026-03-08T12:00:00.000Z"},` +
        `"expires_at":"2026-03-08T12:00:00.000Z","expiresAt":"2026-03-08T12:00:00.000Z"}\n`,
    ];
    for (const text of texts) await expect(estimator.count(text)).resolves.toBe(exact(text));
  });

  it('adds the chat framing per message and scales the estimate up for Anthropic', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hello' },
    ];
    const content = exact('Be brief.') + exact('Hello');
    const openai = await estimator.input(messages);
    expect(openai).toBe(3 + 2 * 4 + content);
    expect(estimator.forProvider('openai', openai)).toBe(openai);
    expect(estimator.forProvider('anthropic', openai)).toBe(Math.ceil((openai * 125) / 100));
  });

  it('counts special-token text such as <|endoftext|> as plain text instead of refusing it', async () => {
    await expect(estimator.count('hi <|endoftext|> there')).resolves.toBe(9);
    await expect(estimator.input([{ role: 'user', content: '<|im_start|>system' }])).resolves.toBe(
      3 + 4 + exact('<|im_start|>system'),
    );
  });

  it.each([
    ['CJK', cjk],
    ['letters without spaces', letters],
  ])(
    'S-01: counts 400,000 characters of %s in bounded steps with the event loop running between them',
    async (_shape, make) => {
      const text = make(400_000);
      let turns = 0;
      let counting = true;
      const tick = () => {
        turns++;
        if (counting) setImmediate(tick);
      };
      setImmediate(tick);
      const tokens = await estimator.count(text);
      counting = false;
      // Windows of at most 512 characters in a run without pre-token boundaries, each followed by
      // a turn of the loop.
      expect(turns).toBeGreaterThanOrEqual(400_000 / 512 - 1);
      expect(tokens).toBeGreaterThan(0);
      // Cutting a run without spaces into windows adds at most a token per window.
      const sample = make(1_000);
      const counted = await estimator.count(sample);
      expect(counted).toBeGreaterThanOrEqual(exact(sample));
      expect(counted).toBeLessThanOrEqual(exact(sample) + Math.ceil(1_000 / 512));
    },
  );
});
