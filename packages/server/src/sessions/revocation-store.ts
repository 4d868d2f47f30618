/**
 * Where ended sessions are remembered. Iron seals are stateless: a copied cookie would open for
 * its whole TTL even after logout, so logout records the session's id here and the session
 * middleware refuses seals whose id is revoked. Implementations may answer synchronously (in
 * memory) or asynchronously (Redis, shared by every node).
 *
 * @example
 * class RedisRevocationStore implements RevocationStore {
 *   constructor(private readonly redis: Redis) {}
 *   async revoke(sessionId: string, ttlSeconds: number) {
 *     await this.redis.set(`wsgate:revoked:${sessionId}`, '1', 'EX', ttlSeconds);
 *   }
 *   async isRevoked(sessionId: string) {
 *     return (await this.redis.exists(`wsgate:revoked:${sessionId}`)) === 1;
 *   }
 * }
 */
export interface RevocationStore {
  /**
   * Revokes `sessionId` for `ttlSeconds`: no seal of it can open later than that, so the
   * entry may be forgotten then.
   */
  revoke(sessionId: string, ttlSeconds: number): void | Promise<void>;
  isRevoked(sessionId: string): boolean | Promise<boolean>;
  /**
   * Revokes `id` for `ttlSeconds` only if it is not revoked already, in one step, and says
   * whether this call did it. Single-use tickets are claimed this way, so two nodes given the
   * same ticket at once cannot both accept it. Optional: without it a claim is `isRevoked`
   * then `revoke`, which is single-use within one process but not across nodes.
   */
  revokeIfNew?(id: string, ttlSeconds: number): boolean | Promise<boolean>;
}
