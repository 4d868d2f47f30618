import { serialize } from 'cookie';
import type { Header } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';

/** SameSite's values; any letter case is accepted and written in the canonical form. */
export type SameSite = 'strict' | 'lax' | 'none';

/** The attributes of a `Set-Cookie` header (RFC 6265bis). */
export interface CookieAttributes {
  /** Seconds until the cookie expires; 0 or less deletes it. An integer. */
  readonly maxAge?: number;
  /** When the cookie expires; prefer `maxAge`, which does not depend on the client's clock. */
  readonly expires?: Date;
  /**
   * The paths the cookie is sent to.
   * @default '/' (not the browser's default, the request's directory, which surprises)
   */
  readonly path?: string;
  /** The host and its subdomains that get the cookie; unset means this host only. */
  readonly domain?: string;
  /** Hide the cookie from `document.cookie`. @default false */
  readonly httpOnly?: boolean;
  /** Send the cookie over HTTPS only. @default false */
  readonly secure?: boolean;
  /** CHIPS: key the cookie to the top-level site too; needs `secure`. @default false */
  readonly partitioned?: boolean;
  /** Whether cross-site requests carry the cookie; `'none'` needs `secure`. Unset: the browser's default (Lax). */
  readonly sameSite?: SameSite | Capitalize<SameSite>;
}

const sameSiteValues: ReadonlySet<string> = new Set<SameSite>(['strict', 'lax', 'none']);

function invalid(name: string, problem: string): WsgateError {
  return new WsgateError(
    ServerErrorCode.invalidOption,
    `cookie ${JSON.stringify(name)}: ${problem}`,
  );
}

/**
 * Serializes one `Set-Cookie` value, validating what browsers would otherwise drop silently.
 * Throws WsgateError `INVALID_OPTION` saying what to change.
 */
function serializeSetCookie(name: string, value: string, attributes: CookieAttributes): string {
  const { sameSite, ...rest } = attributes;
  const { maxAge, expires, secure = false, partitioned = false } = rest;
  const lowerSameSite = sameSite?.toLowerCase();
  if (lowerSameSite !== undefined && !sameSiteValues.has(lowerSameSite)) {
    throw invalid(name, `sameSite must be 'strict', 'lax' or 'none', not ${String(sameSite)}`);
  }
  if (lowerSameSite === 'none' && !secure) {
    throw invalid(name, "sameSite: 'none' needs secure: true (browsers reject it otherwise)");
  }
  if (partitioned && !secure) {
    throw invalid(name, 'partitioned needs secure: true (browsers reject it otherwise)');
  }
  if (maxAge !== undefined && !Number.isSafeInteger(maxAge)) {
    throw invalid(name, `maxAge is a whole number of seconds, not ${maxAge}`);
  }
  if (expires !== undefined && !(expires instanceof Date && Number.isFinite(expires.getTime()))) {
    throw invalid(name, 'expires must be a valid Date');
  }
  // Cookie prefixes are promises browsers enforce by dropping the cookie: fail loudly instead.
  const path = attributes.path ?? '/';
  if (name.startsWith('__Secure-') && !secure) {
    throw invalid(name, 'a __Secure- cookie needs secure: true');
  }
  if (name.startsWith('__Host-') && (!secure || path !== '/' || attributes.domain !== undefined)) {
    throw invalid(name, "a __Host- cookie needs secure: true, path '/' and no domain");
  }
  try {
    return serialize(name, value, {
      ...rest,
      path,
      ...(lowerSameSite === undefined ? {} : { sameSite: lowerSameSite as SameSite }),
    });
  } catch (error) {
    // `cookie` throws TypeError for a name that is not an RFC 6265 token, or a bad domain/path.
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `cookie ${JSON.stringify(name)}: ${(error as Error).message} (names are RFC 6265 tokens: no spaces, ';', ',' or '='; a domain is a host name; a path has no ';')`,
      { cause: error },
    );
  }
}

/**
 * Returns `headers` plus a `set-cookie` header for `http.response.start`; `headers` is not
 * changed, so calls chain. The value is percent-encoded (`cookieMiddleware` decodes it).
 * Invalid attributes throw WsgateError `INVALID_OPTION` instead of producing a cookie the
 * browser would silently drop: `sameSite: 'none'` or `partitioned` without `secure`, a
 * `__Host-`/`__Secure-` name without what its prefix promises, a non-integer `maxAge`.
 *
 * @example
 * await send({
 *   type: 'http.response.start',
 *   status: 200,
 *   headers: setCookie([['content-type', 'text/plain']], 'theme', 'dark', {
 *     maxAge: 60 * 60 * 24 * 365,
 *     sameSite: 'lax',
 *   }),
 * });
 */
export function setCookie(
  headers: readonly Header[],
  name: string,
  value: string,
  attributes: CookieAttributes = {},
): Header[] {
  return [...headers, ['set-cookie', serializeSetCookie(name, value, attributes)]];
}

/**
 * Returns `headers` plus a `set-cookie` header that deletes the cookie `name` (empty value,
 * `Max-Age=0` and an `Expires` in 1970 for old clients). A browser only deletes the cookie
 * whose path and domain match, so pass the ones it was set with.
 *
 * @example
 * const headers = deleteCookie([['location', '/']], 'theme', { path: '/' });
 * await send({ type: 'http.response.start', status: 303, headers });
 */
export function deleteCookie(
  headers: readonly Header[],
  name: string,
  attributes: Omit<CookieAttributes, 'maxAge' | 'expires'> = {},
): Header[] {
  return setCookie(headers, name, '', { ...attributes, maxAge: 0, expires: new Date(0) });
}
