/**
 * The session's `Set-Cookie` header. Browsers silently drop a cookie over 4096 bytes, which
 * would look like a login that does not stick; wsgate refuses to build one instead.
 */
import type { Header, Scope } from '@wsgate/shared';
import { deleteCookie, setCookie } from '../cookies/set-cookie.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import type { SessionSettings } from './session-options.js';

/** What browsers keep per cookie: name, value and attributes (RFC 6265 §6.1). */
export const maxCookieBytes = 4096;

/** Whether the session cookie gets `Secure` for this scope: by option, else by scheme. */
export function isSecureCookie(settings: SessionSettings, scope: Scope): boolean {
  return settings.cookie.secure ?? (scope.scheme === 'https' || scope.scheme === 'wss');
}

/**
 * The `set-cookie` header carrying `seal` until `expiresAt`. Throws WsgateError
 * `SESSION_ERROR` naming the size when browsers would drop it.
 */
export function sessionCookieHeader(
  settings: SessionSettings,
  seal: string,
  expiresAt: number,
  secure: boolean,
): Header {
  // setCookie appends exactly one header to the list it is given.
  const header = setCookie([], settings.cookieName, seal, {
    ...settings.cookie,
    secure,
    maxAge: Math.max(0, Math.round((expiresAt - Date.now()) / 1000)),
    expires: new Date(expiresAt),
  })[0] as Header;
  const bytes = Buffer.byteLength(header[1]);
  if (bytes > maxCookieBytes) {
    throw new WsgateError(
      ServerErrorCode.session,
      `the session cookie would be ${bytes} bytes, over browsers' limit of ${maxCookieBytes} (name, value and attributes), so browsers would drop it. Keep ids in the session, not whole objects.`,
    );
  }
  return header;
}

/** The `set-cookie` header that deletes the session cookie. */
export function clearedSessionCookieHeader(settings: SessionSettings, secure: boolean): Header {
  return deleteCookie([], settings.cookieName, { ...settings.cookie, secure })[0] as Header;
}
