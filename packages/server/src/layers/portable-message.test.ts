import { describe, expect, it } from 'vitest';
import { portableCopy } from './portable-message.js';

describe('portableCopy', () => {
  it('deep-copies JSON data and bytes, leaving out undefined properties', () => {
    const bytes = Buffer.from([1, 2, 3]);
    const value = {
      type: 't',
      list: [1, 'two', null, true, { deep: 0.5 }],
      bytes,
      gone: undefined,
    };
    const result = portableCopy(value);
    expect(result).toEqual({
      ok: true,
      copy: {
        type: 't',
        list: [1, 'two', null, true, { deep: 0.5 }],
        bytes: new Uint8Array([1, 2, 3]),
      },
    });
    const copy = (result as { copy: typeof value }).copy;
    expect(copy.list[4]).not.toBe(value.list[4]);
    expect(Object.getPrototypeOf(copy.bytes)).toBe(Uint8Array.prototype);
    bytes[0] = 9;
    expect(copy.bytes[0]).toBe(1);
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"type":"t","__proto__":{"polluted":true}}') as object;
    const result = portableCopy(value);
    expect(result.ok).toBe(true);
    const copy = (result as { copy: Record<string, unknown> }).copy;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['type', '__proto__']);
  });

  it('accepts a shared (not circular) reference, copying it twice', () => {
    const shared = { n: 1 };
    expect(portableCopy({ a: shared, b: shared })).toEqual({
      ok: true,
      copy: { a: { n: 1 }, b: { n: 1 } },
    });
  });

  const circular: Record<string, unknown> = { type: 't' };
  circular.self = { again: circular };

  it.each([
    [{ at: new Date(0) }, '`message.at` is a Date'],
    [{ tags: new Set(['a']) }, '`message.tags` is a Set'],
    [{ list: [1, undefined] }, '`message.list[1]` is undefined'],
    [{ n: Number.NaN }, '`message.n` is NaN, which JSON cannot carry'],
    [{ n: Infinity }, '`message.n` is Infinity, which JSON cannot carry'],
    [{ big: 1n }, '`message.big` is a bigint'],
    [{ f: () => 1 }, '`message.f` is a function'],
    [{ s: Symbol('s') }, '`message.s` is a symbol'],
    [{ words: new Int16Array(1) }, '`message.words` is an Int16Array'],
    [{ x: { '\u0000bytes': 'AA==' } }, '`message.x` uses the reserved key "\\u0000bytes"'],
    [circular, '`message.self.again` refers back to itself'],
  ])('refuses %o: %s', (value, problem) => {
    expect(portableCopy(value)).toEqual({ ok: false, problem });
  });
});
