/**
 * Calling the application a router or middleware wraps, without an async function of its own.
 * An `async` wrapper that returns `inner(...)` adds a promise that waits on inner's: for a
 * WebSocket, a promise, a reaction and two resolving functions per wrapper, held for as long as
 * the socket is open, and a microtask tick or two per connection.
 */
import type { Application, Receive, Scope, Send } from '@wsgate/shared';

/**
 * `app(scope, receive, send)` as a promise: a synchronous throw becomes a rejection, as it
 * would from an async wrapper, and an application's own promise is handed back as it is.
 *
 * @example
 * return callApplication(inner, copyWith(scope, { tenant }), receive, send);
 */
export function callApplication<S extends Scope>(
  app: Application<S>,
  scope: S,
  receive: Receive,
  send: Send,
): Promise<void> {
  try {
    return Promise.resolve(app(scope, receive, send));
  } catch (thrown) {
    const error = thrown as Error;
    return Promise.reject(error);
  }
}
