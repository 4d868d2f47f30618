/**
 * What opening a session cookie costs on the handshake path: a cold unseal (every cookie
 * distinct, as on a first visit) against a cache hit (a reconnect), and a seal for scale.
 * Run: `npx vitest bench --run bench/session-unseal.bench.ts` in packages/server.
 */
import { bench, describe } from 'vitest';
import { InMemoryRevocationStore } from '../src/sessions/in-memory-revocation-store.js';
import { newSessionId, sealSession, unsealSession } from '../src/sessions/seal-session.js';
import { createSessionCodec } from '../src/sessions/session-codec.js';
import { UnsealCache } from '../src/sessions/unseal-cache.js';

const codec = createSessionCodec('a-bench-password-of-at-least-32-characters');
const data = { _auth_user_id: '42', _auth_user_hash: 'f'.repeat(64), theme: 'dark' };
const seals = await Promise.all(
  Array.from({ length: 2000 }, async () => {
    const { seal } = await sealSession(codec, { id: newSessionId(), data }, 1_209_600);
    return seal;
  }),
);
const cache = new UnsealCache(10_000);
const revocations = new InMemoryRevocationStore();
for (const seal of seals) {
  const record = await unsealSession(codec, seal);
  if (record !== null) cache.set(seal, record);
}

let next = 0;
const nextSeal = (): string => seals[(next += 1) % seals.length] as string;

describe('opening a session cookie', () => {
  bench('cold: unseal (iron-session, WebCrypto)', async () => {
    await unsealSession(codec, nextSeal());
  });

  bench('warm: cache hit + revocation check', () => {
    const record = cache.get(nextSeal());
    if (record !== undefined) revocations.isRevoked(record.id);
  });

  bench('seal (for scale)', async () => {
    await sealSession(codec, { id: newSessionId(), data }, 1_209_600);
  });
});
