/**
 * What a channel-layer message may hold, the same on every layer: a message that works on the
 * in-memory layer in development must not break on Redis in production. That is JSON data
 * (plain objects, arrays, strings, finite numbers, booleans, null) plus bytes (`Uint8Array`,
 * including `Buffer`), which binary WebSocket frames need and a cross-process layer encodes.
 * Object properties that are `undefined` are left out, as `JSON.stringify` does.
 */

/**
 * The one object key a message cannot use: a cross-process layer marks encoded bytes with it,
 * and refusing it in messages keeps that marking unambiguous.
 */
export const bytesKey = '\u0000bytes';

export type PortableCopy = { readonly ok: true; readonly copy: unknown } | PortableProblem;

export interface PortableProblem {
  readonly ok: false;
  /** What is wrong and where, e.g. "`message.sentAt` is a Date". */
  readonly problem: string;
}

/**
 * A deep copy of `value` if every part of it is portable, else where the first part that is
 * not sits. Bytes are copied into a plain `Uint8Array` (a `Buffer` arrives as one, as it does
 * through `structuredClone`).
 *
 * @example
 * portableCopy({ type: 'chat.message', at: new Date() });
 * // { ok: false, problem: '`message.at` is a Date' }
 */
export function portableCopy(value: unknown): PortableCopy {
  try {
    return { ok: true, copy: copy(value, 'message', new Set()) };
  } catch (error) {
    if (error instanceof NotPortable) return { ok: false, problem: error.message };
    throw error;
  }
}

class NotPortable extends Error {}

function copy(value: unknown, path: string, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw new NotPortable(`\`${path}\` is ${String(value)}, which JSON cannot carry`);
    case 'object':
      break;
    case 'undefined':
      throw new NotPortable(`\`${path}\` is undefined`);
    default:
      throw new NotPortable(`\`${path}\` is ${article(typeof value)}`);
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (ancestors.has(value)) throw new NotPortable(`\`${path}\` refers back to itself`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return Array.from(value, (item, index) => copy(item, `${path}[${index}]`, ancestors));
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      throw new NotPortable(
        `\`${path}\` is ${typeof name === 'string' && name !== '' ? article(name) : 'a class instance'}`,
      );
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      if (key === bytesKey) {
        throw new NotPortable(`\`${path}\` uses the reserved key "\\u0000bytes"`);
      }
      // Defined rather than assigned, so that a "__proto__" key stays data.
      Object.defineProperty(result, key, {
        value: copy(item, `${path}.${key}`, ancestors),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}

function article(noun: string): string {
  return /^[aeiouAEIOU]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}
