import { within } from './within';

describe('within', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers what the promise resolves to before the time is up, and leaves no timer', async () => {
    await expect(within(Promise.resolve('done'), 1000, 'late')).resolves.toBe('done');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers the fallback once the time is up', async () => {
    const answer = within(new Promise<string>(() => undefined), 1000, 'late');
    await jest.advanceTimersByTimeAsync(999);
    let settled = false;
    void answer.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toBe('late');
  });
});
