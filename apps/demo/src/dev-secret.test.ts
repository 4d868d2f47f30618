import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionSecret } from './dev-secret.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wsgate-secret-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sessionSecret', () => {
  it('uses SESSION_SECRET when set, silently', () => {
    const warn = vi.fn();
    expect(sessionSecret('s'.repeat(32), dir, warn)).toBe('s'.repeat(32));
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses a SESSION_SECRET that is too short, saying how to make one', () => {
    expect(() => sessionSecret('short', dir, vi.fn())).toThrow(/at least 32 characters.*openssl/);
  });

  it('generates a development secret once, keeps it private, and warns every start', async () => {
    const warn = vi.fn();
    const first = sessionSecret(undefined, dir, warn);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(sessionSecret('', dir, warn)).toBe(first);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[0]?.[0]).toMatch(/SESSION_SECRET is not set/);
    expect((await stat(join(dir, 'dev-session-secret'))).mode & 0o777).toBe(0o600);
    // Written aside and linked into place: nothing of the aside copy is left.
    expect(await readdir(dir)).toEqual(['dev-session-secret']);
  });

  it('replaces a kept secret that was cut short', async () => {
    await writeFile(join(dir, 'dev-session-secret'), 'too short\n');
    const secret = sessionSecret(undefined, dir, vi.fn());
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect((await readFile(join(dir, 'dev-session-secret'), 'utf8')).trim()).toBe(secret);
  });
});
