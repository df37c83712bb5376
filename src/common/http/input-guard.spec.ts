import { findInputProblem, textProblem } from './input-guard';

describe('findInputProblem (the global input rule)', () => {
  it('accepts ordinary text, paired surrogates (emoji) and Thai', () => {
    expect(findInputProblem({ name: 'สมชาย 😀', tags: ['a', { b: 1 }], n: null }, 32, 'Body')).toBe(
      undefined,
    );
  });

  it('names the path of a NUL in a nested value and in a key', () => {
    expect(findInputProblem({ a: { b: [1, 'x\u0000'] } }, 32, 'Body')).toBe(
      'Body field "a.b[1]" contains a NUL character (U+0000)',
    );
    expect(findInputProblem({ a: { 'k\u0000': 1 } }, 32, 'Body')).toBe(
      'Body key "k\\\\0" in "a" contains a NUL character (U+0000)',
    );
  });

  it('refuses a lone high or low surrogate, and a top-level bad string', () => {
    expect(textProblem('\uD800x')).toContain('unpaired UTF-16 surrogate');
    expect(textProblem('x\uDC00')).toContain('unpaired UTF-16 surrogate');
    expect(findInputProblem('\uDBFF', 32, 'Body')).toContain('the request body');
  });

  it('counts depth by objects and arrays: 32 pass, 33 do not', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);
    expect(findInputProblem(nest(32), 32, 'Body')).toBe(undefined);
    expect(findInputProblem(nest(33), 32, 'Body')).toMatch(/nested deeper than 32 levels/);
  });
});
