/**
 * What Node's `IncomingMessage` says, as a plain, readonly scope. A request that cannot be
 * described (a malformed percent escape, a broken WebSocket handshake) is a result with the
 * HTTP status to refuse it with, never an exception.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Header, HostPort, HttpScope, WebSocketScope } from '@wsgate/shared';

/** A scope, or why the request cannot have one. */
export type ScopeResult<S> =
  | { readonly ok: true; readonly scope: S }
  | { readonly ok: false; readonly status: 400 | 405; readonly reason: string };

/** How much of the network to believe about the client. */
export interface ScopeOptions {
  readonly trustProxy: boolean;
}

interface RequestTarget {
  readonly path: string;
  readonly rawPath: string;
  readonly queryString: string;
}

const absoluteForm = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i;
// RFC 7230 token characters: what a subprotocol name may contain.
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const websocketKey = /^[+/0-9A-Za-z]{22}==$/;

function parseTarget(url: string): RequestTarget | null {
  const target = url.replace(absoluteForm, '') || '/';
  const query = target.indexOf('?');
  const rawPath = query === -1 ? target : target.slice(0, query);
  const queryString = query === -1 ? '' : target.slice(query + 1);
  // Without a '%' there is nothing to decode, and path and rawPath can be one string.
  if (!rawPath.includes('%')) return { path: rawPath, rawPath, queryString };
  try {
    return { path: decodeURIComponent(rawPath), rawPath, queryString };
  } catch {
    return null;
  }
}

/**
 * Lower-cased header names, shared: every open WebSocket keeps its scope's headers, and names
 * such as `sec-websocket-key` would otherwise be strings of their own in each. Clients choose
 * names, so only the first few hundred distinct ones are kept.
 */
const lowerCaseNames = new Map<string, string>();
const maxLowerCaseNames = 256;

function lowerCaseName(name: string): string {
  let lower = lowerCaseNames.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerCaseNames.size < maxLowerCaseNames) lowerCaseNames.set(name, lower);
  }
  return lower;
}

function headerPairs(raw: readonly string[]): Header[] {
  const pairs: Header[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    pairs.push([lowerCaseName(raw[i] as string), raw[i + 1] as string]);
  }
  return pairs;
}

/** The right-most value of a comma-separated header: the one the nearest proxy added. */
function lastForwarded(headers: readonly Header[], name: string): string | undefined {
  const values = headers
    .filter(([key]) => key === name)
    .flatMap(([, value]) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  return values.at(-1);
}

function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as Partial<TLSSocket>).encrypted === true;
}

/** Where the request came from and whether it was encrypted, as far as `options` trusts. */
interface Peers {
  readonly secure: boolean;
  readonly client: HostPort | null;
  readonly server: HostPort | null;
}

function peersOf(req: IncomingMessage, headers: readonly Header[], options: ScopeOptions): Peers {
  let secure = isEncrypted(req);
  const { remoteAddress, remotePort, localAddress, localPort } = req.socket;
  let client: HostPort | null =
    remoteAddress !== undefined && remotePort !== undefined ? [remoteAddress, remotePort] : null;
  if (options.trustProxy) {
    const proto = lastForwarded(headers, 'x-forwarded-proto')?.toLowerCase();
    if (proto === 'https' || proto === 'wss') secure = true;
    else if (proto === 'http' || proto === 'ws') secure = false;
    // The proxy tells the address but not the port; 0 says "unknown", as ASGI servers do.
    const forwardedFor = lastForwarded(headers, 'x-forwarded-for');
    if (forwardedFor !== undefined) client = [forwardedFor, 0];
  }
  const server: HostPort | null =
    localAddress !== undefined && localPort !== undefined ? [localAddress, localPort] : null;
  return { secure, client, server };
}

/**
 * The scope of an HTTP request.
 *
 * @example
 * const result = httpScope(req, { trustProxy: false });
 * if (!result.ok) res.writeHead(result.status).end(result.reason);
 */
export function httpScope(req: IncomingMessage, options: ScopeOptions): ScopeResult<HttpScope> {
  const target = parseTarget(req.url ?? '/');
  if (target === null)
    return { ok: false, status: 400, reason: 'malformed percent-escape in path' };
  const headers = headerPairs(req.rawHeaders);
  const { secure, client, server } = peersOf(req, headers, options);
  // One literal, never `{ ...common, more }`: V8 (Node 20) gives each object built by a spread
  // followed by more properties a hidden class of its own, which costs memory and every read.
  const scope: HttpScope = {
    type: 'http',
    path: target.path,
    rawPath: target.rawPath,
    queryString: target.queryString,
    headers,
    client,
    server,
    scheme: secure ? 'https' : 'http',
    method: (req.method ?? 'GET').toUpperCase(),
    httpVersion: req.httpVersion,
  };
  return { ok: true, scope };
}

/**
 * Subprotocols from `Sec-WebSocket-Protocol` values, in order; null if malformed (an empty or
 * non-token entry, or a repeat), which ws would also refuse at upgrade time.
 *
 * @example
 * parseSubprotocols(['chat.v2, chat.v1']); // ['chat.v2', 'chat.v1']
 */
export function parseSubprotocols(values: readonly string[]): string[] | null {
  if (values.length === 0) return [];
  const names = values.flatMap((value) => value.split(',')).map((name) => name.trim());
  const valid = names.every((name) => token.test(name)) && new Set(names).size === names.length;
  return valid ? names : null;
}

function handshakeProblem(req: IncomingMessage): string | null {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return 'Upgrade header is not websocket';
  if (!websocketKey.test(req.headers['sec-websocket-key'] ?? '')) {
    return 'missing or invalid Sec-WebSocket-Key header';
  }
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return 'missing or invalid Sec-WebSocket-Version header';
  return null;
}

/**
 * The scope of a WebSocket handshake, checked up front so that the application only ever
 * sees handshakes that ws can complete.
 *
 * @example
 * const result = websocketScope(req, { trustProxy: false });
 * if (!result.ok) rejectHandshake(socket, result.status, result.reason);
 */
export function websocketScope(
  req: IncomingMessage,
  options: ScopeOptions,
): ScopeResult<WebSocketScope> {
  if (req.method !== 'GET') {
    return { ok: false, status: 405, reason: 'a WebSocket handshake must be a GET' };
  }
  const problem = handshakeProblem(req);
  if (problem !== null) return { ok: false, status: 400, reason: problem };
  const target = parseTarget(req.url ?? '/');
  if (target === null)
    return { ok: false, status: 400, reason: 'malformed percent-escape in path' };
  const headers = headerPairs(req.rawHeaders);
  const offered: string[] = [];
  for (const header of headers) if (header[0] === 'sec-websocket-protocol') offered.push(header[1]);
  const subprotocols = parseSubprotocols(offered);
  if (subprotocols === null) {
    return { ok: false, status: 400, reason: 'malformed Sec-WebSocket-Protocol header' };
  }
  const { secure, client, server } = peersOf(req, headers, options);
  const scope: WebSocketScope = {
    type: 'websocket',
    path: target.path,
    rawPath: target.rawPath,
    queryString: target.queryString,
    headers,
    client,
    server,
    scheme: secure ? 'wss' : 'ws',
    subprotocols,
  };
  return { ok: true, scope };
}
