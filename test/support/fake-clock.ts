import { Clock } from '../../src/common/time/clock';

/** A clock that only moves when the test says so; what it schedules fires when moved past. */
export class FakeClock extends Clock {
  private current: number;
  private readonly timers = new Set<{ at: number; callback: () => void }>();

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  override schedule(at: Date, callback: () => void): () => void {
    const timer = { at: at.getTime(), callback };
    if (timer.at <= this.current) {
      callback();
      return () => undefined;
    }
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /** Moves time forward and fires, in time order, what was scheduled up to the new now. */
  advance(ms: number): void {
    this.current += ms;
    const due = [...this.timers].filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.callback();
    }
  }

  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}
