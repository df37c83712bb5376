import { Injectable } from '@nestjs/common';

// setTimeout's longest delay (about 24.8 days); a later moment is reached in several steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The source of "now" for every expiry and TTL decision, so tests can move time instead of sleeping. */
export abstract class Clock {
  abstract now(): Date;

  /**
   * Calls `callback` once this clock reaches `at` (at once when it already has); returns a
   * function that cancels it. A clock that tests move fires it when moved past `at`.
   */
  schedule(at: Date, callback: () => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = at.getTime() - this.now().getTime();
      if (delay <= 0) {
        timer = undefined;
        callback();
        return;
      }
      timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  }
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
