import type { User } from '@wsgate/server';
import { authFixture } from '../auth-fixture.js';

/** A user of the authenticated rows' servers. */
export interface BenchUser extends User {
  readonly id: string;
  readonly sessionAuthHash: string;
}

/**
 * The user table of the authenticated rows: `authFixture.userCount` users, each with a
 * sessionAuthHash, as Django keeps, so every handshake also checks it (in constant time).
 * Every auth server builds the same one, so a cookie names the same user on each.
 *
 * @example
 * const users = benchUsers();
 * users.get(authFixture.userId(0))?.sessionAuthHash; // 'u0-password-v1'
 */
export function benchUsers(): Map<string, BenchUser> {
  const users = new Map<string, BenchUser>();
  for (let index = 0; index < authFixture.userCount; index++) {
    const id = authFixture.userId(index);
    users.set(id, { id, sessionAuthHash: `${id}-password-v1` });
  }
  return users;
}
