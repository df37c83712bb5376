import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { WriteBatcher } from './write-batcher';

/** A write function whose first call waits until `release()`; records each call's items. */
function heldWriter(fail: (items: string[], call: number) => Error | undefined = () => undefined) {
  const calls: string[][] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const write = async (items: string[]) => {
    calls.push(items);
    const call = calls.length;
    if (call === 1) await held;
    const error = fail(items, call);
    if (error) throw error;
  };
  return { calls, write, release: () => release() };
}

const refused = () =>
  new QueryFailedError('INSERT …', [], new DatabaseError('violates check', 0, 'error'));

describe('WriteBatcher', () => {
  it('writes at once when idle, and what arrives meanwhile together in the next statement', async () => {
    const writer = heldWriter();
    const batcher = new WriteBatcher(writer.write);
    const first = batcher.add('a');
    const later = ['b', 'c', 'd'].map((item) => batcher.add(item));
    expect(writer.calls).toEqual([['a']]);
    writer.release();
    await Promise.all([first, ...later]);
    expect(writer.calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('writes a batch PostgreSQL refused again one by one: only the write at fault fails', async () => {
    const writer = heldWriter((items) => (items.includes('bad') ? refused() : undefined));
    const batcher = new WriteBatcher(writer.write);
    const first = batcher.add('a');
    const good = batcher.add('good');
    const bad = batcher.add('bad');
    writer.release();
    await first;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toBeInstanceOf(QueryFailedError);
    expect(writer.calls).toEqual([['a'], ['good', 'bad'], ['good'], ['bad']]);
  });

  it('never writes again a batch whose connection failed: its commit may have happened', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    const writer = heldWriter((_items, call) => (call === 2 ? lost : undefined));
    const batcher = new WriteBatcher(writer.write);
    const first = batcher.add('a');
    const both = [batcher.add('b'), batcher.add('c')];
    writer.release();
    await first;
    for (const write of both) await expect(write).rejects.toBe(lost);
    expect(writer.calls).toEqual([['a'], ['b', 'c']]);
  });
});
