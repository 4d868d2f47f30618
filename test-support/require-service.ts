/// <reference types="node" />
/**
 * Some tests need something outside Node: a browser, a Redis server. On a developer's machine
 * without it they are skipped, loudly; in CI a missing service is a broken pipeline, not a
 * reason to pass, so there the suite fails with the same explanation.
 */
import { it } from 'vitest';

/** CI services set CI=true; some set CI=1. */
function underCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * Call at a test file's top level. Returns whether the tests that need `name` can run; when
 * they cannot, prints a `skipped:` line (outside CI) or registers a failing test (under
 * `CI=true`) that says what is missing and how to fix it. Skip the dependent suite with
 * `describe.skipIf(!available)`.
 *
 * @example
 * const hasRedis = requireService('Redis tests', await pingRedis(), 'docker run -p 6379:6379 redis');
 * describe.skipIf(!hasRedis)('RedisChannelLayer', () => { ... });
 */
export function requireService(name: string, available: boolean, howToFix: string): boolean {
  if (available) return true;
  const message = `${name} (${howToFix})`;
  if (underCi()) {
    it(`needs ${name}`, () => {
      throw new Error(`CI must run ${message}`);
    });
  } else {
    console.warn(`skipped: ${message}`);
  }
  return false;
}
