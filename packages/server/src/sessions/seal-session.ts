/**
 * The session's sealed layout, shared by the session middleware and the session endpoint:
 *
 *     { v: 1, id: "<22 base64url chars>", exp: <ms since epoch>, data: { ...the session's keys } }
 *
 * `id` names the session for revocation (iron seals are stateless, so a copied cookie would
 * otherwise outlive logout); `exp` is when the seal stops opening, known without a clock skew
 * allowance, so caches and `session.updated` can state it exactly.
 */
import { randomBytes } from 'node:crypto';
import type { SessionCodec } from './session-codec.js';

/** An opened session. */
export interface SessionRecord {
  readonly id: string;
  /** When the seal stops opening, in ms since the epoch. */
  readonly expiresAt: number;
  readonly data: Readonly<Record<string, unknown>>;
}

const layoutVersion = 1;
const sessionIdShape = /^[\w-]{22}$/;

/** A new random session id: 128 bits, base64url. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Seals a session for `ttlSeconds` and says when that seal expires.
 *
 * @example
 * const { seal, expiresAt } = await sealSession(codec, { id: newSessionId(), data: { a: 1 } }, 3600);
 */
export async function sealSession(
  codec: SessionCodec,
  session: { readonly id: string; readonly data: Readonly<Record<string, unknown>> },
  ttlSeconds: number,
): Promise<{ seal: string; expiresAt: number }> {
  const expiresAt = Date.now() + ttlSeconds * 1000;
  const seal = await codec.seal(
    { v: layoutVersion, id: session.id, exp: expiresAt, data: session.data },
    ttlSeconds,
  );
  return { seal, expiresAt };
}

/**
 * Opens a seal made by {@link sealSession}; null for anything that does not open, has another
 * layout or has expired. Never throws: a cookie is untrusted input.
 *
 * @example
 * const record = await unsealSession(codec, scope.cookies['wsgate.session'] ?? '');
 */
export async function unsealSession(
  codec: SessionCodec,
  seal: string,
): Promise<SessionRecord | null> {
  const value = await codec.unseal(seal);
  if (!isPlainObject(value)) return null;
  const { v, id, exp, data } = value;
  if (v !== layoutVersion || typeof id !== 'string' || !sessionIdShape.test(id)) return null;
  if (typeof exp !== 'number' || !(exp > Date.now()) || !isPlainObject(data)) return null;
  return { id, expiresAt: exp, data };
}
