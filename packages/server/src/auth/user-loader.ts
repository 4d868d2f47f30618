/**
 * How `getUser` finds the `loadUser` that `authMiddleware` was given: a symbol-keyed field on
 * the scope. Object spread copies own symbol keys, so every scope copy further in keeps it, and
 * it stays out of `Object.keys(scope)` and JSON.
 */
import type { Scope, User } from '@wsgate/shared';

/**
 * The application's user lookup: the user with this id, or null when there is none any more.
 *
 * @example
 * const loadUser: LoadUser<AppUser> = async (id) => db.users.findOne({ where: { id } });
 */
export type LoadUser<U extends User = User> = (
  id: string,
) => U | null | undefined | Promise<U | null | undefined>;

export const userLoaderKey: unique symbol = Symbol('wsgate.loadUser');

/** A scope that `authMiddleware` passed on. */
export interface WithUserLoader {
  readonly [userLoaderKey]: LoadUser;
}

/** The `loadUser` of the authMiddleware this scope went through, if any. */
export function userLoaderOf(scope: Scope): LoadUser | undefined {
  const loader = (scope as Partial<WithUserLoader>)[userLoaderKey];
  return typeof loader === 'function' ? loader : undefined;
}
