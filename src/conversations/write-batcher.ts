import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';

/** The most writes one statement carries. */
const MAX_BATCH = 100;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A statement PostgreSQL refused (so it changed nothing), not a lost connection. */
function refusedByDatabase(error: unknown): boolean {
  return error instanceof QueryFailedError && error.driverError instanceof DatabaseError;
}

/**
 * Writes of one kind: sent at once when none is running; those arriving while one runs wait for
 * it and go together in the next statement. In a burst of chats a statement per write cost
 * PostgreSQL and the hub a round trip and a commit each, about a fifth of the hub's CPU per chat
 * (BENCHMARKS.md). A batch PostgreSQL refuses as a whole is written again one by one, so only the
 * write at fault fails; a batch whose connection failed is not (its commit may have happened).
 */
export class WriteBatcher<T> {
  private readonly queue: Waiting<T>[] = [];
  private running = false;

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.writeNext();
    });
  }

  private async writeNext(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.running = true;
    try {
      await this.write(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    } catch (error) {
      if (batch.length === 1 || !refusedByDatabase(error)) {
        for (const w of batch) w.reject(error);
      } else {
        await Promise.all(batch.map((w) => this.write([w.item]).then(w.resolve, w.reject)));
      }
    } finally {
      this.running = false;
      void this.writeNext();
    }
  }
}
