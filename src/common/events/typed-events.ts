import { Logger } from '@nestjs/common';

export type EventListener<T> = (event: T) => void | Promise<void>;

/**
 * Typed events a lower module publishes and higher modules listen to, so that no module calls up
 * the dependency graph (e.g. Auth announces a sign-up; Credits, above it, opens the account).
 *
 * - `emit` awaits every listener in the order they subscribed and lets a failure propagate: for
 *   listeners that work inside the emitter's transaction (what they write commits or rolls back
 *   with it).
 * - `publish` is for what already happened (committed): every listener runs, a failure is logged
 *   and never reaches the publisher.
 */
export class TypedEvents<Events extends object> {
  private readonly logger = new Logger(this.constructor.name);
  private readonly listeners = new Map<keyof Events, Set<EventListener<never>>>();

  /** Subscribes `listener` to `name`; returns the unsubscribe function. */
  on<K extends keyof Events>(name: K, listener: EventListener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  async emit<K extends keyof Events>(name: K, event: Events[K]): Promise<void> {
    for (const listener of this.listenersOf(name)) await listener(event);
  }

  publish<K extends keyof Events>(name: K, event: Events[K]): void {
    for (const listener of this.listenersOf(name)) {
      void (async () => listener(event))().catch((error: unknown) =>
        this.logger.warn(
          { event: String(name), err: error instanceof Error ? error.message : String(error) },
          'Event listener failed',
        ),
      );
    }
  }

  private listenersOf<K extends keyof Events>(name: K): EventListener<Events[K]>[] {
    return [...(this.listeners.get(name) ?? [])] as EventListener<Events[K]>[];
  }
}
