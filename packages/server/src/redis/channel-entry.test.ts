import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from './channel-entry.js';

describe('channel entries', () => {
  it('put the expiry first and round-trip JSON and bytes', () => {
    const message = {
      type: 'frame',
      bytes: new Uint8Array([0, 255]),
      list: [{ b: new Uint8Array() }],
    };
    const entry = encodeEntry(message, 1_700_000_060_000);
    expect(entry).toBe(
      '1700000060000:{"type":"frame","bytes":{"\\u0000bytes":"AP8="},"list":[{"b":{"\\u0000bytes":""}}]}',
    );
    expect(decodeEntry(entry)).toEqual({ expiresAt: 1_700_000_060_000, message });
  });

  it('encodes only the bytes of a view, not its whole buffer', () => {
    const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect(decodeEntry(encodeEntry({ type: 't', view }, 1))?.message.view).toEqual(
      new Uint8Array([2, 3]),
    );
  });

  it.each([
    ['not an entry'],
    [':{"type":"t"}'],
    ['12:not json'],
    ['12:[1,2]'],
    ['12:{"no":"type"}'],
    ['1.5:{"type":"t"}'],
  ])('refuses %j, which wsgate did not write', (entry) => {
    expect(decodeEntry(entry)).toBeNull();
  });
});
