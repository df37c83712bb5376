import { describe, expect, it } from 'vitest';
import { fromStored, history, threadReducer, type ThreadMessage } from './thread';

describe('threadReducer', () => {
  it('appends chunks in order only, ignoring late or repeated ones, then ends with the cost', () => {
    let state: ThreadMessage[] = threadReducer([], {
      type: 'sent',
      requestId: 'r1',
      text: 'Hi',
      model: 'm',
    });
    for (const [index, delta] of [
      [0, 'Hel'],
      [0, 'Hel'],
      [2, '!'],
      [1, 'lo'],
    ] as const) {
      state = threadReducer(state, { type: 'chunk', requestId: 'r1', index, delta });
    }
    state = threadReducer(state, {
      type: 'end',
      requestId: 'r1',
      model: 'm',
      cost: '0.5',
      balance: '9.5',
    });
    expect(state[1]).toMatchObject({ content: 'Hello', status: 'done', cost: '0.5' });
    expect(history(state)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ]);
  });
});

describe('fromStored', () => {
  it('shows a stored conversation: no system prompt, statuses and costs as the thread has them', () => {
    const base = { model: null, cost: null, status: 'complete' as const };
    const thread = fromStored([
      { ...base, id: 's', role: 'system', content: 'Be brief' },
      { ...base, id: 'u1', role: 'user', content: 'Hi' },
      { ...base, id: 'a1', role: 'assistant', content: 'Hello', model: 't-gpt', cost: '0.2' },
      { ...base, id: 'u2', role: 'user', content: 'More' },
      { ...base, id: 'a2', role: 'assistant', content: 'Hal', status: 'cancelled', cost: '0.1' },
      { ...base, id: 'u3', role: 'user', content: 'Again' },
      { ...base, id: 'a3', role: 'assistant', content: '', status: 'failed' },
    ]);
    expect(thread.map((m) => [m.id, m.status])).toEqual([
      ['u1', 'done'],
      ['a1', 'done'],
      ['u2', 'done'],
      ['a2', 'stopped'],
      ['u3', 'done'],
      ['a3', 'error'],
    ]);
    expect(thread[1]).toMatchObject({ model: 't-gpt', cost: '0.2' });
    expect(thread[5].error).toEqual({ code: 'FAILED', message: '' });
    // What a new conversation would send on: the finished turns only.
    expect(history(thread).map((m) => m.content)).toEqual(['Hi', 'Hello', 'More', 'Again']);
  });
});
