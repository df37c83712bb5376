import { titleFrom, toMarkdown } from './conversations.service';
import type { ConversationRecord, MessageRecord } from './conversations.repository';

describe('titleFrom', () => {
  it('takes the first non-empty user message on one line', () => {
    expect(
      titleFrom([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '   ' },
        { role: 'user', content: ' Plan a trip\n\nto  Chiang Mai ' },
      ]),
    ).toBe('Plan a trip to Chiang Mai');
  });

  it('cuts a long message at a word, with an ellipsis, within 80 characters', () => {
    const title = titleFrom([{ role: 'user', content: 'word '.repeat(40) }]);
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title).toMatch(/^word( word)+…$/);
  });

  it('cuts a long run without spaces (e.g. Thai) at 79 characters', () => {
    expect(titleFrom([{ role: 'user', content: 'ก'.repeat(200) }])).toBe(`${'ก'.repeat(79)}…`);
  });

  it('names a conversation without text', () => {
    expect(titleFrom([{ role: 'user', content: '' }])).toBe('New conversation');
  });
});

describe('toMarkdown', () => {
  it('writes the title, then each message under its role, with the cost of answers', () => {
    const at = new Date('2026-11-30T10:00:00Z');
    const conversation: ConversationRecord = {
      id: 'c',
      userId: 'u',
      title: 'Greeting',
      model: 'gpt-4o-mini',
      totalCost: '0.0300',
      createdAt: at,
      updatedAt: at,
    };
    const base = {
      inputTokens: null,
      outputTokens: null,
      cost: null,
      transactionId: null,
      model: null,
    };
    const messages: MessageRecord[] = [
      { ...base, id: '1', role: 'user', content: 'Hello', status: 'complete', createdAt: at },
      {
        ...base,
        id: '2',
        role: 'assistant',
        content: 'Hi there',
        model: 'gpt-4o-mini',
        inputTokens: 12,
        outputTokens: 3,
        cost: '0.0300',
        status: 'cancelled',
        createdAt: at,
      },
    ];
    expect(toMarkdown(conversation, messages)).toBe(
      [
        '# Greeting',
        '',
        'Model: gpt-4o-mini · started 2026-11-30T10:00:00.000Z · total cost 0.03 credits',
        '',
        '## User',
        '',
        '_2026-11-30T10:00:00.000Z_',
        '',
        'Hello',
        '',
        '## Assistant (gpt-4o-mini)',
        '',
        '_2026-11-30T10:00:00.000Z · 12 in / 3 out · 0.03 credits · cancelled_',
        '',
        'Hi there',
        '',
      ].join('\n'),
    );
  });
});
