/**
 * How wsgate copies a scope (or a user) to add to it: the same own properties as
 * `{ ...source, ...additions }`, built so that V8 gives every copy of one shape the same hidden
 * class.
 *
 * In V8 as Node 20 ships it, an object made by a spread that then gets more properties
 * (`{ ...scope, cookies }`) gets a hidden class of its own every time: none of 999 consecutive
 * copies shared one. Each copy then costs a new map and descriptor array, which an open
 * connection keeps for as long as it holds the scope, and every read of such scopes goes
 * megamorphic. `Object.assign({}, source, additions)` copies the same properties (string and
 * symbol keys, in order) and its copies share one class per shape.
 */

/**
 * A copy of `source` with `additions` on top, as `{ ...source, ...additions }`.
 *
 * @example
 * return inner(copyWith(scope, { cookies }), receive, send);
 */
export function copyWith<S extends object, A extends object>(source: S, additions: A): S & A {
  // Object.assign sets `__proto__` through its setter where a spread defines an own property;
  // an object with such a key (never one of wsgate's) gets the spread.
  if (Object.hasOwn(source, '__proto__') || Object.hasOwn(additions, '__proto__')) {
    return { ...source, ...additions };
  }
  return Object.assign({}, source, additions);
}
