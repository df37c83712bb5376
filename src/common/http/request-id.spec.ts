import { requestIdFrom } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it('keeps a sane caller-supplied id', () => {
    expect(requestIdFrom('req-123_abc.def:9')).toBe('req-123_abc.def:9');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'has space'],
    ['with a newline (log injection)', 'abc\ninjected'],
  ])('replaces a %s id with a fresh UUID', (_label, header) => {
    expect(requestIdFrom(header)).toMatch(UUID);
  });
});
