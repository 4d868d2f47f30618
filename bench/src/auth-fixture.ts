/**
 * What the authenticated rows' server and load generator agree on: the users that exist, how
 * to log one in, the Origin the server allows, and the session cookie's name.
 *
 * @example
 * const body = `username=${authFixture.userId(42)}`; // POST to authFixture.loginPath
 */
export const authFixture = {
  /** Users in the server's table; every cookie the load sends belongs to a different one. */
  userCount: 20_000,
  userId: (index: number): string => `u${index}`,
  /** POST `username=<id>` (form-urlencoded): 204 with the session's Set-Cookie, or 401. */
  loginPath: '/login/',
  /** The only Origin the server's originValidator lets through. */
  origin: 'http://localhost',
  /** sessionMiddleware's default name. */
  cookieName: 'wsgate.session',
  /** A bench-only secret: both auth servers share it, so a cookie from either opens on both. */
  sessionPassword: 'wsgate-bench-session-password-not-a-secret-0123456789',
} as const;
