import nodeCrypto from 'node:crypto';
import { sealData } from 'iron-session';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WsgateError } from '../errors.js';
import { createSessionCodec, maxSealLength } from './session-codec.js';

const oldPassword = 'o'.repeat(32);
const newPassword = 'n'.repeat(40);

/** Replaces the `index`-th `*`-separated component of a seal. */
function withPart(seal: string, index: number, value: string): string {
  const [body = '', version] = seal.split('~');
  const parts = body.split('*');
  parts[index] = value;
  return `${parts.join('*')}~${version}`;
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createSessionCodec', () => {
  it('round-trips JSON', async () => {
    const codec = createSessionCodec(newPassword);
    const seal = await codec.seal({ a: 1, nested: { b: [true, null] } }, 60);
    expect(seal).toMatch(/^Fe26\.2\*1\*.*~2$/);
    expect(await codec.unseal(seal)).toEqual({ a: 1, nested: { b: [true, null] } });
  });

  it('opens iron-session seals made with the same password (the format is iron-session’s)', async () => {
    const seal = await sealData({ from: 'iron-session' }, { password: newPassword, ttl: 60 });
    expect(await createSessionCodec(newPassword).unseal(seal)).toEqual({ from: 'iron-session' });
  });

  it('rotates: the highest id seals, every id opens, and a string is id 1', async () => {
    const before = await createSessionCodec(oldPassword).seal({ v: 'old' }, 60);
    const rotated = createSessionCodec({ 1: oldPassword, 2: newPassword });
    expect(await rotated.unseal(before)).toEqual({ v: 'old' });
    const after = await rotated.seal({ v: 'new' }, 60);
    expect(after.split('*')[1]).toBe('2');
    expect(await createSessionCodec({ 2: newPassword }).unseal(after)).toEqual({ v: 'new' });
    expect(await createSessionCodec(oldPassword).unseal(after)).toBeNull();
  });

  it('answers null, never throws, for every kind of bad seal', async () => {
    const codec = createSessionCodec(newPassword);
    const good = await codec.seal({ a: 1 }, 60);
    const foreign = await createSessionCodec('f'.repeat(32)).seal({ a: 1 }, 60);
    const ciphertext = good.split('*')[4] ?? '';
    const bad = {
      empty: '',
      garbage: 'not a seal',
      tamperedCiphertext: withPart(good, 4, `${ciphertext.slice(0, -2)}AA`),
      tamperedHmac: withPart(good, 7, 'A'.repeat(43)),
      foreignKey: foreign,
      wrongPrefix: withPart(good, 0, 'Fe26.1'),
      nonNumericExpiry: withPart(good, 5, '12ab'),
      noExpiry: withPart(good, 5, ''),
      unknownPasswordId: withPart(good, 1, '7'),
      badBase64: withPart(good, 3, 'not*base64!'),
      oldVersion: good.replace(/~2$/, ''),
      fifteenKilobytes: good + 'A'.repeat(15 * 1024),
    };
    for (const [name, seal] of Object.entries(bad)) {
      await expect(codec.unseal(seal), name).resolves.toBeNull();
    }
  });

  it('answers null for iron-session’s empty-object fallback', async () => {
    const codec = createSessionCodec(newPassword);
    expect(await codec.unseal(await codec.seal({}, 60))).toBeNull();
  });

  it('refuses an expired seal without any crypto', async () => {
    const codec = createSessionCodec(newPassword);
    const seal = await codec.seal({ a: 1 }, 60);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    const deriveKey = vi.spyOn(nodeCrypto, 'pbkdf2');
    expect(await codec.unseal(seal)).toBeNull();
    expect(deriveKey).not.toHaveBeenCalled();
  });

  it('refuses a 15 KB value without any crypto', async () => {
    const codec = createSessionCodec(newPassword);
    const deriveKey = vi.spyOn(nodeCrypto, 'pbkdf2');
    const seal = `Fe26.2*1*${'a'.repeat(15 * 1024)}*b*c*9999999999999*d*e~2`;
    expect(seal.length).toBeGreaterThan(maxSealLength);
    expect(await codec.unseal(seal)).toBeNull();
    expect(deriveKey).not.toHaveBeenCalled();
    // The spy does see the key derivation of a real unseal.
    await codec.unseal(`Fe26.2*1*${'a'.repeat(43)}*b*c*9999999999999*d*e~2`);
    expect(deriveKey).toHaveBeenCalled();
  });

  it('says what is wrong with a password, at construction', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['short', /at least 32 characters \(got 5 characters\)/],
      [{ 1: oldPassword, 2: 'short' }, /password 2 must be at least 32 characters/],
      [{ current: newPassword }, /id "current" is not a whole number/],
      [{}, /is missing/],
      [undefined, /is missing/],
    ];
    for (const [password, message] of cases) {
      const create = () => createSessionCodec(password as string);
      expect(create).toThrow(WsgateError);
      expect(create).toThrow(message);
    }
  });

  it('turns a value JSON cannot hold into a WsgateError saying so', async () => {
    const codec = createSessionCodec(newPassword);
    await expect(codec.seal({ big: 1n }, 60)).rejects.toThrow(/Session values must be JSON/);
  });
});
