/**
 * A minimal event emitter whose event names and payloads are checked by the compiler. The same
 * code runs in browsers and Node (no EventEmitter, no CustomEvent needed).
 */

type Listener<T> = (payload: T) => void;

/**
 * @example
 * const events = new TypedEmitter<{ open: { user: string } }>();
 * const stop = events.on('open', ({ user }) => console.log(user));
 * events.emit('open', { user: 'ada' });
 * stop();
 */
export class TypedEmitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; returns a function that removes it again. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let listeners = this.#listeners.get(event);
    if (!listeners) this.#listeners.set(event, (listeners = new Set()));
    listeners.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /**
   * Calls every listener. One that throws must not break the client's bookkeeping or the other
   * listeners, yet must not vanish either: it is rethrown on its own, as EventTarget does.
   */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    for (const listener of [...listeners] as Listener<Events[E]>[]) {
      try {
        listener(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
