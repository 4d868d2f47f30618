import { parse } from 'cookie';
import type { Application, Header, Scope, WithCookies } from '@wsgate/shared';
import { copyWith } from '../copy-with.js';
import { nullPrototypeRecord } from '../null-prototype-record.js';
import { wrapping } from '../routing/url-router-mark.js';

/**
 * The request's cookies from every `Cookie` header. HTTP/2 and some proxies split cookies over
 * several headers, so they are joined with `; ` before parsing, as RFC 9113 §8.2.3 asks.
 *
 * Never throws: pairs without `=` or with an empty name are skipped, and a value whose `%`
 * escapes do not decode is kept as sent. When a name repeats, the first occurrence wins:
 * browsers send the cookie with the longest Path first (RFC 6265 §5.4), which is the most
 * specific one. The record has no prototype and is frozen, so a cookie named `__proto__` or
 * `constructor` is just a cookie.
 *
 * @example
 * readCookies([['cookie', 'theme=dark; lang=en']]); // { theme: 'dark', lang: 'en' }
 */
export function readCookies(headers: readonly Header[]): Readonly<Record<string, string>> {
  let joined = '';
  for (const [name, value] of headers) {
    if (name === 'cookie') joined = joined === '' ? value : `${joined}; ${value}`;
  }
  // `parse` keeps the first value per name and falls back to the raw value when decoding fails.
  const parsed = parse(joined);
  const cookies = nullPrototypeRecord<string>();
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (name !== '' && value !== undefined) cookies[name] = value;
  }
  return Object.freeze(cookies);
}

/**
 * Puts the request's cookies on `scope.cookies` (Channels' CookieMiddleware), for HTTP and
 * WebSocket alike. The Cookie header is untrusted input: parsing never throws (see
 * {@link readCookies} for how malformed and repeated cookies are read). To set cookies on an
 * HTTP response, use {@link setCookie} and {@link deleteCookie} on `http.response.start`'s
 * headers; a WebSocket cannot set cookies after its handshake.
 *
 * @example
 * const app = cookieMiddleware(async (scope, receive, send) => {
 *   const theme = scope.cookies.theme ?? 'light';
 *   // ...
 * });
 */
export function cookieMiddleware(inner: Application<Scope & WithCookies>): Application;
// TypeScript cannot infer `S` through `Scope & WithCookies`, which it spreads over the Scope
// union; the overload above covers an inner application that takes both scope types.
export function cookieMiddleware<S extends Scope>(
  inner: Application<S & WithCookies>,
): Application<S>;
export function cookieMiddleware<S extends Scope>(
  inner: Application<S & WithCookies>,
): Application<S> {
  const app: Application<S> = (scope, receive, send) =>
    inner(copyWith(scope, { cookies: readCookies(scope.headers) }), receive, send);
  // Around a urlRouter, stay one, so that a route outside still matches it as a prefix.
  return wrapping(inner, app);
}
