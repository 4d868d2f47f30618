import { describe, expect, it } from 'vitest';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password-hash.js';

describe('password hashing', () => {
  it('stores a salted scrypt hash, never the password', async () => {
    const [first, second] = await Promise.all([
      hashPassword('correct horse'),
      hashPassword('correct horse'),
    ]);
    expect(first).toMatch(/^scrypt\$[\w-]{22}\$[\w-]{43}$/);
    expect(first).not.toContain('correct horse');
    expect(first).not.toBe(second);
  });

  it('accepts the password and nothing else', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horse ', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('treats a malformed stored hash as a mismatch, not an error', async () => {
    for (const stored of ['', 'scrypt$', 'bcrypt$abc$def', 'scrypt$c2FsdA$c2hvcnQ']) {
      expect(await verifyPassword('anything', stored)).toBe(false);
    }
  });

  it('has one dummy hash that no password matches', async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    expect(await verifyPassword('', dummy)).toBe(false);
  });
});
