import { formatUnits, parseUnits, unitsFromSql, unitsToSql } from './credit-amount';

describe('credit amounts', () => {
  it.each([
    [30, 300_000n],
    ['30', 300_000n],
    [0.1, 1_000n],
    ['12.5', 125_000n],
    ['0.0001', 1n],
    [' 7 ', 70_000n],
    [-3, -30_000n],
    ['9999999999999999.9999', 99_999_999_999_999_999_999n],
  ])('parses %p exactly', (input, units) => {
    expect(parseUnits(input)).toEqual({ units });
  });

  it.each([
    [NaN, 'not_a_number'],
    [Infinity, 'not_a_number'],
    ['NaN', 'not_a_number'],
    ['thirty', 'not_a_number'],
    ['1e3', 'not_a_number'],
    ['', 'not_a_number'],
    [null, 'not_a_number'],
    [true, 'not_a_number'],
    [[1], 'not_a_number'],
    [1.00001, 'too_many_decimals'],
    ['0.00001', 'too_many_decimals'],
    [1e-7, 'too_many_decimals'],
    [1e21, 'out_of_range'],
    ['12345678901234567', 'out_of_range'],
  ])('refuses %p (%s)', (input, problem) => {
    expect(parseUnits(input)).toEqual({ problem });
  });

  it('formats the shortest decimal and a fixed-scale SQL literal', () => {
    expect(formatUnits(1_234_500n)).toBe('123.45');
    expect(formatUnits(-30_000n)).toBe('-3');
    expect(formatUnits(0n)).toBe('0');
    expect(formatUnits(1n)).toBe('0.0001');
    expect(unitsToSql(-1n)).toBe('-0.0001');
    expect(unitsToSql(300_000n)).toBe('30.0000');
    expect(unitsFromSql('-30.0000')).toBe(-300_000n);
  });

  it('adds 0.1 and 0.2 to exactly 0.3', () => {
    const sum =
      (parseUnits(0.1) as { units: bigint }).units + (parseUnits(0.2) as { units: bigint }).units;
    expect(formatUnits(sum)).toBe('0.3');
  });
});
