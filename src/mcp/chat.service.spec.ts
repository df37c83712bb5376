import { whenWritten } from './chat.service';

describe('whenWritten', () => {
  it('resolves after the writes the opening set off, which complete on later ticks', async () => {
    const order: string[] = [];
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const written = whenWritten(opened).then(() => order.push('after the writes'));
    void opened.then(() => order.push('chunk queued'));
    open();
    // A socket write's callback runs on a later tick; Socket.IO then writes the next frame.
    process.nextTick(() => process.nextTick(() => order.push('chunk written')));
    await written;
    expect(order).toEqual(['chunk queued', 'chunk written', 'after the writes']);
  });
});
