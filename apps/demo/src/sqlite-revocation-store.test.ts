import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteRevocationStore } from './sqlite-revocation-store.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('SqliteRevocationStore', () => {
  it('remembers revocations until they expire', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = new SqliteRevocationStore(openDatabase(':memory:'));
    store.revoke('session-1', 60);
    expect(store.isRevoked('session-1')).toBe(true);
    expect(store.isRevoked('session-2')).toBe(false);
    // Revoked again for less: the longer revocation stands.
    store.revoke('session-1', 10);
    vi.setSystemTime(1_000_000 + 59_000);
    expect(store.isRevoked('session-1')).toBe(true);
    vi.setSystemTime(1_000_000 + 60_000);
    expect(store.isRevoked('session-1')).toBe(false);
  });

  it('claims an id once with revokeIfNew, and again once it expired', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const store = new SqliteRevocationStore(openDatabase(':memory:'));
    expect(store.revokeIfNew('ticket:1', 60)).toBe(true);
    expect(store.revokeIfNew('ticket:1', 60)).toBe(false);
    expect(store.isRevoked('ticket:1')).toBe(true);
    vi.setSystemTime(1_000_000 + 60_000);
    expect(store.revokeIfNew('ticket:1', 60)).toBe(true);
  });

  it('deletes expired entries as it goes', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const db = openDatabase(':memory:');
    const store = new SqliteRevocationStore(db);
    store.revoke('old', 1);
    vi.setSystemTime(1_000_000 + 120_000);
    store.revoke('new', 60);
    const ids = db.prepare('SELECT id FROM revoked_sessions').all() as { id: string }[];
    expect(ids.map((row) => row.id)).toEqual(['new']);
  });

  it('survives a restart (a new connection to the same file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wsgate-revocations-'));
    try {
      const file = join(dir, 'demo.sqlite');
      const first = openDatabase(file);
      new SqliteRevocationStore(first).revoke('session-1', 60);
      first.close();
      const second = openDatabase(file);
      expect(new SqliteRevocationStore(second).isRevoked('session-1')).toBe(true);
      second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
