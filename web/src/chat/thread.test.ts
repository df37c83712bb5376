import { describe, expect, it } from 'vitest';
import { fromStored, history, threadReducer, type ThreadMessage } from './thread';

describe('threadReducer', () => {
  it('appends chunks in order only, ignoring late or repeated ones, then ends with the cost', () => {
    let state: ThreadMessage[] = threadReducer([], {
      type: 'sent',
      request_id: 'r1',
      text: 'Hi',
      model: 'm',
    });
    for (const [index, delta] of [
      [0, 'Hel'],
      [0, 'Hel'],
      [2, '!'],
      [1, 'lo'],
    ] as const) {
      state = threadReducer(state, { type: 'chunk', request_id: 'r1', index, delta });
    }
    state = threadReducer(state, {
      type: 'end',
      request_id: 'r1',
      model: 'm',
      cost: '0.5',
      new_balance: '9.5',
    });
    expect(state[1]).toMatchObject({
      content: 'Hello',
      status: 'done',
      cost: '0.5',
      balance: '9.5',
    });
    expect(history(state)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ]);
  });
});

describe('threadReducer errors', () => {
  it('keeps what streamed before an error; a cancel is a stop, not an error', () => {
    const sent = threadReducer([], { type: 'sent', request_id: 'r1', text: 'Hi', model: 'm' });
    const partial = threadReducer(sent, { type: 'chunk', request_id: 'r1', index: 0, delta: 'He' });
    const failed = threadReducer(partial, {
      type: 'error',
      request_id: 'r1',
      code: 'TIMEOUT',
      message: 'no next chunk',
      cost: '0.1',
    });
    expect(failed[1]).toMatchObject({
      content: 'He',
      status: 'error',
      cost: '0.1',
      error: { code: 'TIMEOUT', message: 'no next chunk' },
    });
    const stopped = threadReducer(partial, {
      type: 'error',
      request_id: 'r1',
      code: 'CANCELLED',
      message: 'Cancelled',
      cost: '0.1',
    });
    expect(stopped[1]).toMatchObject({ content: 'He', status: 'stopped', error: undefined });
    // Another chat's events leave this one alone.
    expect(
      threadReducer(partial, { type: 'chunk', request_id: 'r2', index: 1, delta: 'x' }),
    ).toEqual(partial);
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
