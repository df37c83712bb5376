import { TokenEstimator } from './token-estimator';

describe('TokenEstimator', () => {
  const estimator = new TokenEstimator();

  it('counts text with the o200k encoding', () => {
    expect(estimator.count('')).toBe(0);
    expect(estimator.count('Hello')).toBe(1);
    expect(estimator.count('Hello from the fake')).toBe(4);
  });

  it('adds the chat framing per message and scales the estimate up for Anthropic', () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hello' },
    ];
    const content = estimator.count('Be brief.') + estimator.count('Hello');
    const openai = estimator.input('openai', messages);
    expect(openai).toBe(3 + 2 * 4 + content);
    expect(estimator.input('anthropic', messages)).toBe(Math.ceil((openai * 125) / 100));
  });

  it('counts a large conversation', () => {
    expect(estimator.count('lorem ipsum dolor sit amet '.repeat(15_000))).toBeGreaterThan(50_000);
  });

  it('counts special-token text such as <|endoftext|> as plain text instead of refusing it', () => {
    expect(estimator.count('hi <|endoftext|> there')).toBe(9);
    expect(estimator.input('openai', [{ role: 'user', content: '<|im_start|>system' }])).toBe(
      3 + 4 + estimator.count('<|im_start|>system'),
    );
  });
});
