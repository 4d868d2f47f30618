/**
 * Telling a value from a promise of one, as `await` does, so that a step which usually has its
 * answer at once (a cache hit, an in-memory store) can go on synchronously, and only a real
 * wait costs a promise and a tick.
 */

/**
 * Whether `value` is a promise or another thenable: what `await` would wait for.
 *
 * @example
 * const revoked = store.isRevoked(id);
 * if (isPromiseLike(revoked)) return Promise.resolve(revoked).then(finish);
 * return finish(revoked);
 */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
