import type { AnonymousUser } from '@wsgate/shared';

/**
 * `scope.user` when nobody is logged in (Django's AnonymousUser). Frozen and shared: compare
 * with `isAuthenticated`, not by identity, since users may build their own.
 *
 * @example
 * if (!scope.user.isAuthenticated) return send({ type: 'websocket.close', code: 4401 });
 */
export const anonymousUser: AnonymousUser = Object.freeze({ id: null, isAuthenticated: false });
