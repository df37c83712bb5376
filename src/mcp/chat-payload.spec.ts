import { parseChatStart, parseRequestId } from './chat-payload';

const limits = { maxMessages: 200, maxInputChars: 400_000 };
const good = {
  request_id: 'r1',
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
};

describe('parseChatStart', () => {
  it('accepts a well-formed payload', () => {
    expect(parseChatStart({ ...good, max_tokens: 10, temperature: 0.5 }, limits)).toEqual({
      ok: true,
      value: { ...good, max_tokens: 10, temperature: 0.5 },
    });
  });

  it('accepts the old names requestId and maxTokens for one release, as the new ones', () => {
    const old = { requestId: 'r1', model: good.model, messages: good.messages, maxTokens: 10 };
    expect(parseChatStart(old, limits)).toEqual({
      ok: true,
      value: { ...good, max_tokens: 10 },
    });
  });

  it('refuses both names of one field (which would win is not obvious)', () => {
    expect(parseChatStart({ ...good, requestId: 'r2' }, limits)).toEqual({
      ok: false,
      reason: 'Send request_id only: requestId is its old name',
    });
    expect(parseChatStart({ ...good, max_tokens: 5, maxTokens: 6 }, limits)).toEqual({
      ok: false,
      reason: 'Send max_tokens only: maxTokens is its old name',
    });
  });

  it('accepts a conversation_id (a UUID, kept lower-case)', () => {
    const id = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    expect(parseChatStart({ ...good, conversation_id: id }, limits)).toEqual({
      ok: true,
      value: { ...good, conversation_id: id.toLowerCase() },
    });
  });

  it.each([
    ['a string', 'hello'],
    ['a conversation_id that is no UUID', { ...good, conversation_id: 'abc' }],
    ['a numeric conversation_id', { ...good, conversation_id: 7 }],
    ['a NUL character in content', { ...good, messages: [{ role: 'user', content: 'a\u0000b' }] }],
    ['null', null],
    ['an array', [good]],
    ['a numeric request_id', { ...good, request_id: 5 }],
    ['a missing model', { ...good, model: undefined }],
    ['an unknown role', { ...good, messages: [{ role: 'tool', content: 'x' }] }],
    ['a content object', { ...good, messages: [{ role: 'user', content: { a: 1 } }] }],
    ['no user message', { ...good, messages: [{ role: 'system', content: 'x' }] }],
    ['empty messages', { ...good, messages: [] }],
    ['1,000 messages', { ...good, messages: Array(1000).fill({ role: 'user', content: 'x' }) }],
    ['10 MB of content', { ...good, messages: [{ role: 'user', content: 'x'.repeat(10 << 20) }] }],
    ['a fractional max_tokens', { ...good, max_tokens: 1.5 }],
    ['a string max_tokens', { ...good, max_tokens: '10' }],
    ['temperature 3', { ...good, temperature: 3 }],
    ['an unknown field', { ...good, stream: false }],
  ])('rejects %s', (_what, payload) => {
    const result = parseChatStart(payload, limits);
    expect(result.ok).toBe(false);
  });
});

describe('parseRequestId (chat:cancel)', () => {
  it('reads request_id, or the old requestId', () => {
    expect(parseRequestId({ request_id: 'r1' })).toBe('r1');
    expect(parseRequestId({ requestId: 'r1' })).toBe('r1');
  });

  it.each([[null], ['r1'], [{ request_id: 5 }], [{ request_id: 'a', requestId: 'b' }]])(
    'finds none in %p',
    (raw) => expect(parseRequestId(raw)).toBeUndefined(),
  );
});
