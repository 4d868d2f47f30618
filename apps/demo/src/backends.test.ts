/// <reference types="node" />
import { afterEach, describe, expect, it } from 'vitest';
import { chooseBackends } from './backends.js';
import type { Backends } from './backends.js';
import { openDatabase } from './database.js';

const db = openDatabase(':memory:');
let backends: Backends | undefined;

afterEach(async () => {
  await backends?.close();
  backends = undefined;
});

describe('chooseBackends', () => {
  it('runs a single node on embedded defaults without REDIS_URL', () => {
    backends = chooseBackends({ REDIS_URL: '' }, db);
    expect(backends.description).toMatch(/^runs as a single node .*set REDIS_URL/);
    expect(backends.health().revocationStore.kind).toBe('sqlite');
  });

  it('puts everything shared in Redis under REDIS_PREFIX, and never prints the password', () => {
    // Nothing needs to listen: the connections are made in the background.
    backends = chooseBackends(
      { REDIS_URL: 'redis://:hunter2@127.0.0.1:1/0', REDIS_PREFIX: 'demo-test' },
      db,
    );
    expect(backends.description).toContain('Redis at redis://:***@127.0.0.1:1/0');
    expect(backends.description).toContain('keys under "demo-test:"');
    expect(backends.description).not.toContain('hunter2');
    const kinds = Object.values(backends.health()).map((health) => health.kind);
    expect(kinds).toEqual(['redis', 'redis', 'redis']);
  });

  it('uses the prefix wsgate-demo unless told otherwise', () => {
    backends = chooseBackends({ REDIS_URL: 'redis://127.0.0.1:1' }, db);
    expect(backends.description).toContain('keys under "wsgate-demo:"');
  });

  it('refuses a REDIS_URL that is not a Redis URL, without echoing it', () => {
    for (const url of ['http://:hunter2@redis:6379', 'hunter2']) {
      expect(() => chooseBackends({ REDIS_URL: url }, db)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.not.stringContaining('hunter2') as unknown,
        }),
      );
    }
    expect(() => chooseBackends({ REDIS_URL: 'http://redis:6379' }, db)).toThrow(
      /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL .* but it is a http: URL/,
    );
  });

  it('refuses a REDIS_PREFIX that cannot start Redis keys', () => {
    expect(() =>
      chooseBackends({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'a b*' }, db),
    ).toThrow(/`prefix` must be 1 to 64 ASCII letters.*got "a b\*"/);
  });
});
