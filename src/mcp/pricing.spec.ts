import { cost, costUnits, formatDecimal, parseDecimal } from './pricing';

describe('pricing', () => {
  it('parses and formats decimals exactly', () => {
    expect(parseDecimal('0.000150', 6)).toBe(150n);
    expect(parseDecimal('12', 4)).toBe(120_000n);
    expect(formatDecimal(120_000n, 4)).toBe('12');
    expect(formatDecimal(1n, 4)).toBe('0.0001');
    expect(() => parseDecimal('0.1234567', 6)).toThrow();
    expect(() => parseDecimal('-1', 6)).toThrow();
    expect(() => parseDecimal('1e3', 6)).toThrow();
  });

  it('charges usage × price per 1,000 tokens', () => {
    const prices = { inputPer1k: '0.25', outputPer1k: '1' };
    expect(cost(prices, 1000, 1000)).toBe('1.25');
    expect(cost(prices, 12, 4)).toBe('0.007'); // 0.003 + 0.004
  });

  it('rounds up to 0.0001 and never to zero for a non-zero usage', () => {
    const prices = { inputPer1k: '0.015', outputPer1k: '0.06' };
    // 1 input token: 0.000015 credit → 0.0001
    expect(cost(prices, 1, 0)).toBe('0.0001');
    // 0.1 + 0.000015×... exact: 7 × 0.015/1000 + 3 × 0.06/1000 = 0.000105 + 0.00018 = 0.000285 → 0.0003
    expect(cost(prices, 7, 3)).toBe('0.0003');
    expect(costUnits(prices, 0, 0)).toBe(0n);
  });

  it('stays exact where floating point would not', () => {
    // 0.1 + 0.2 per 1k at 1,000 tokens each is 0.3 exactly.
    expect(cost({ inputPer1k: '0.1', outputPer1k: '0.2' }, 1000, 1000)).toBe('0.3');
    expect(cost({ inputPer1k: '123456.123456', outputPer1k: '0' }, 1_000_000, 0)).toBe(
      '123456123.456',
    );
  });
});
