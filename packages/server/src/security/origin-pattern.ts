import { ServerErrorCode, WsgateError } from '../errors.js';

/** An Origin header that parsed: what the patterns compare. */
export interface ParsedOrigin {
  readonly scheme: 'http' | 'https';
  /** Lower-case, IDN as punycode, IPv6 in brackets, without a trailing dot. */
  readonly host: string;
  /** The explicit port, or the scheme's default (80 or 443). */
  readonly port: number;
  /** `scheme://host[:port]` as the URL standard serializes it. */
  readonly serialized: string;
}

export type OriginParseResult =
  | { readonly ok: true; readonly origin: ParsedOrigin }
  | { readonly ok: false; readonly reason: string };

/** One compiled entry of an allow list. */
export interface OriginPattern {
  /** The pattern as written, for log lines. */
  readonly source: string;
  /** True for `*`, which lets anything through, even a missing or malformed Origin. */
  readonly any: boolean;
  matches(origin: ParsedOrigin): boolean;
}

const defaultPorts = { http: 80, https: 443 } as const;

// An origin is `scheme://authority` and nothing else: no path (not even `/`), query, fragment,
// userinfo or whitespace. The URL parser below is lenient about all of these, so they are
// refused here first.
const originShape = /^([a-z][a-z\d+.-]*):\/\/([^/?#@\\\s]+)$/i;

const patternShape =
  /^(?:(?<scheme>[a-z][a-z\d+.-]*):\/\/)?(?<wildcard>\*\.|\.)?(?<host>\[[\da-f:.]+\]|[^:/?#@[\]\\\s]+)(?::(?<port>\d{1,5}))?$/i;

const hostShape = /^(?<wildcard>\.)?(?<host>\[[\da-f:.]+\]|[^:/?#@[\]\\\s*]+)$/i;

function isHttpScheme(scheme: string): scheme is 'http' | 'https' {
  return scheme === 'http' || scheme === 'https';
}

/** Django's split_domain_port drops one trailing dot: `a.com.` is the same DNS name as `a.com`. */
function withoutTrailingDot(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * Parses an Origin header value with the WHATWG URL parser (lower-cases the host, turns IDN
 * into punycode, normalizes IP addresses). Anything but an http or https `scheme://host[:port]`
 * is refused with a reason a log reader can act on.
 *
 * @example
 * parseOrigin('https://App.Example.com'); // { ok: true, origin: { host: 'app.example.com', port: 443, ... } }
 * parseOrigin('null'); // { ok: false, reason: 'opaque origin "null" ...' }
 */
export function parseOrigin(value: string): OriginParseResult {
  if (value === '') return { ok: false, reason: 'empty Origin header' };
  if (value === 'null') {
    return {
      ok: false,
      reason: 'opaque origin "null" (a sandboxed frame, a file: page or a cross-origin redirect)',
    };
  }
  const shape = originShape.exec(value);
  if (shape === null) {
    return { ok: false, reason: 'not an origin: expected scheme://host[:port], no path' };
  }
  const scheme = (shape[1] ?? '').toLowerCase();
  if (!isHttpScheme(scheme)) {
    return {
      ok: false,
      reason: `scheme ${scheme}: only http and https pages have allowable origins`,
    };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: 'not an origin: the host or port is invalid' };
  }
  const host = withoutTrailingDot(url.hostname);
  if (host === '') return { ok: false, reason: 'not an origin: the host is empty' };
  const port = url.port === '' ? defaultPorts[scheme] : Number(url.port);
  return { ok: true, origin: { scheme, host, port, serialized: url.origin } };
}

function invalidPattern(source: string, problem: string): WsgateError {
  return new WsgateError(
    ServerErrorCode.invalidOption,
    `the origin pattern ${JSON.stringify(source)} is invalid: ${problem}`,
  );
}

/** The host as the URL parser normalizes it, so that it compares equal to a parsed Origin's. */
function normalizeHost(source: string, host: string): string {
  try {
    return withoutTrailingDot(new URL(`http://${host}`).hostname);
  } catch {
    throw invalidPattern(source, `${JSON.stringify(host)} is not a valid host name`);
  }
}

function isIpAddress(host: string): boolean {
  return host.startsWith('[') || /^[\d.]+$/.test(host);
}

type HostMatch = (host: string) => boolean;

function hostMatcher(source: string, wildcard: string | undefined, rawHost: string): HostMatch {
  if (rawHost.includes('*')) {
    throw invalidPattern(source, "'*' may only be the whole pattern or a leading '*.'");
  }
  const host = normalizeHost(source, rawHost);
  if (wildcard === undefined) return (candidate) => candidate === host;
  if (isIpAddress(host)) {
    throw invalidPattern(source, `${wildcard} needs a domain name, not an IP address`);
  }
  const suffix = `.${host}`;
  // `.a.com` is a.com and its subdomains (Django); `*.a.com` is subdomains only.
  if (wildcard === '.') return (candidate) => candidate === host || candidate.endsWith(suffix);
  return (candidate) => candidate.endsWith(suffix);
}

const anyOrigin = (source: string): OriginPattern => ({ source, any: true, matches: () => true });

/**
 * Compiles one entry of `originValidator`'s list (its JSDoc has the table of patterns). A
 * scheme may be combined with `.a.com` and `*.a.com`; a port needs a scheme. Throws
 * WsgateError `INVALID_OPTION` naming the entry and what is wrong with it.
 *
 * @example
 * compileOriginPattern('https://.example.com').matches(parsedOrigin);
 */
export function compileOriginPattern(source: string): OriginPattern {
  if (source === '*') return anyOrigin(source);
  const groups = patternShape.exec(source)?.groups;
  if (groups?.host === undefined) {
    throw invalidPattern(
      source,
      "write a host (a.com, .a.com, *.a.com), an origin (https://a.com[:port]) or '*'; " +
        'no path, no trailing slash, no spaces',
    );
  }
  const { scheme: rawScheme, wildcard, host, port: rawPort } = groups;
  const matchesHost = hostMatcher(source, wildcard, host);
  if (rawScheme === undefined) {
    if (rawPort !== undefined) {
      throw invalidPattern(source, `a port needs a scheme, e.g. https://${host}:${rawPort}`);
    }
    return { source, any: false, matches: (origin) => matchesHost(origin.host) };
  }
  const scheme = rawScheme.toLowerCase();
  if (!isHttpScheme(scheme)) {
    throw invalidPattern(
      source,
      'the scheme is http or https: an Origin names the page, not the socket',
    );
  }
  const port = rawPort === undefined ? defaultPorts[scheme] : Number(rawPort);
  if (port < 1 || port > 65535) throw invalidPattern(source, 'the port is 1 to 65535');
  return {
    source,
    any: false,
    matches: (origin) =>
      origin.scheme === scheme && origin.port === port && matchesHost(origin.host),
  };
}

/**
 * Compiles one entry of a Django ALLOWED_HOSTS list: `a.com`, `.a.com` (a.com and its
 * subdomains) or `*`. It matches the Origin's host whatever its scheme and port, as Django
 * ignores the port. Throws WsgateError `INVALID_OPTION` for anything else.
 *
 * @example
 * compileHostPattern('.example.com').matches(parsedOrigin);
 */
export function compileHostPattern(source: string): OriginPattern {
  if (source === '*') return anyOrigin(source);
  const groups = hostShape.exec(source)?.groups;
  if (groups?.host === undefined) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `the allowed host ${JSON.stringify(source)} is invalid: ALLOWED_HOSTS entries are ` +
        "a.com, .a.com or '*', with no scheme, port or path; for those, use originValidator",
    );
  }
  const matchesHost = hostMatcher(source, groups.wildcard, groups.host);
  return { source, any: false, matches: (origin) => matchesHost(origin.host) };
}
