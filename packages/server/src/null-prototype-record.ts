/**
 * Records whose keys come from the request (cookie names, route parameters): with no
 * prototype, a key such as `constructor` or `__proto__` is just a key.
 */

/**
 * An empty object with a null prototype that V8 keeps fast. `Object.create(null)` makes a
 * dictionary-mode object instead, and freezing one gives it a hidden class of its own, so
 * every request's frozen record would cost a new map; made this way, records with the same
 * keys share one, frozen or not.
 *
 * @example
 * const cookies = nullPrototypeRecord<string>();
 * cookies.theme = 'dark';
 * return Object.freeze(cookies);
 */
export function nullPrototypeRecord<V>(): Record<string, V> {
  return Object.setPrototypeOf({}, null) as Record<string, V>;
}
