import { TypedEvents } from './typed-events';

interface Events {
  happened: { n: number };
}

describe('TypedEvents', () => {
  it('emit awaits every listener in subscription order and lets a failure reach the emitter', async () => {
    const events = new TypedEvents<Events>();
    const seen: string[] = [];
    events.on('happened', async ({ n }) => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(`first ${n}`);
    });
    events.on('happened', ({ n }) => {
      seen.push(`second ${n}`);
    });
    await events.emit('happened', { n: 1 });
    expect(seen).toEqual(['first 1', 'second 1']);

    events.on('happened', () => Promise.reject(new Error('listener failed')));
    await expect(events.emit('happened', { n: 2 })).rejects.toThrow('listener failed');
  });

  it('publish runs every listener even when one fails, and never throws', async () => {
    const events = new TypedEvents<Events>();
    const seen: number[] = [];
    events.on('happened', () => {
      throw new Error('boom');
    });
    events.on('happened', ({ n }) => {
      seen.push(n);
    });
    expect(() => events.publish('happened', { n: 3 })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([3]);
  });

  it('an unsubscribed listener hears nothing more', async () => {
    const events = new TypedEvents<Events>();
    const seen: number[] = [];
    const off = events.on('happened', ({ n }) => {
      seen.push(n);
    });
    await events.emit('happened', { n: 1 });
    off();
    await events.emit('happened', { n: 2 });
    expect(seen).toEqual([1]);
  });
});
