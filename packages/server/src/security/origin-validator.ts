import type { Application, Header, Receive, Scope, Send } from '@wsgate/shared';
import { callApplication } from '../call-application.js';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { defaultLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { wrapping } from '../routing/url-router-mark.js';
import { compileOriginPattern, parseOrigin } from './origin-pattern.js';
import type { OriginPattern } from './origin-pattern.js';

export interface OriginValidatorOptions {
  /**
   * Where refusals are logged, at `debug`, one line each.
   * @default defaultLogger
   */
  readonly logger?: Logger;
}

interface Refusal {
  readonly origin: string | undefined;
  readonly reason: string;
}

/**
 * How many Origin values a guard remembers its verdict on, and how long one may be. A site has
 * a handful of short ones; a client sending a new one each time only keeps the memo cycling.
 */
const verdictMemoSize = 64;
const memoizedOriginLength = 256;

/**
 * Why a connection's Origin is refused, or undefined when it may pass. Verdicts on single
 * Origin values are remembered in `memo`, since parsing one (WHATWG URL) is most of the cost.
 */
function refusal(
  headers: readonly Header[],
  patterns: readonly OriginPattern[],
  listed: string,
  memo: Map<string, Refusal | undefined>,
): Refusal | undefined {
  let value: string | undefined;
  let count = 0;
  for (const [name, headerValue] of headers) {
    if (name !== 'origin') continue;
    count += 1;
    value ??= headerValue;
  }
  if (value === undefined) return { origin: undefined, reason: 'missing Origin header' };
  // Browsers send one; two are a confused or hostile client, and picking either would be a guess.
  if (count > 1) return { origin: value, reason: `${count} Origin headers` };
  if (memo.has(value)) return memo.get(value);
  const verdict = judge(value, patterns, listed);
  if (value.length <= memoizedOriginLength) {
    if (memo.size >= verdictMemoSize) memo.clear();
    memo.set(value, verdict);
  }
  return verdict;
}

function judge(
  value: string,
  patterns: readonly OriginPattern[],
  listed: string,
): Refusal | undefined {
  const parsed = parseOrigin(value);
  if (!parsed.ok) return { origin: value, reason: parsed.reason };
  if (patterns.some((pattern) => pattern.matches(parsed.origin))) return undefined;
  return { origin: value, reason: `not in ${listed}` };
}

/**
 * Logs why, then denies as Channels' WebsocketDenier does: close before accept, which the
 * adapter answers with HTTP 403.
 */
async function deny(
  refused: Refusal,
  scope: Scope,
  logger: Logger,
  receive: Receive,
  send: Send,
): Promise<void> {
  const who = refused.origin === undefined ? 'connection' : `origin ${quote(refused.origin)}`;
  logger.debug(`${who} refused: ${refused.reason}`, {
    path: scope.path,
    client: scope.client?.[0] ?? null,
  });
  const event = await receive();
  // A client that left before connecting needs no answer.
  if (event.type === 'websocket.connect') await send({ type: 'websocket.close' });
}

// An Origin is attacker-chosen: quote it (escapes control characters) and bound its length.
function quote(origin: string): string {
  return JSON.stringify(origin.length > 200 ? `${origin.slice(0, 200)}…` : origin);
}

/**
 * The guard both validators share: `compile` turns each entry of `allowed` into a pattern, once.
 * `listName` names the list in log lines ("allowed origins", "allowed hosts").
 */
export function guardOrigin<S extends Scope>(
  inner: Application<S>,
  allowed: readonly string[],
  compile: (source: string) => OriginPattern,
  listName: string,
  options: OriginValidatorOptions,
): Application<S> {
  if (!Array.isArray(allowed) || allowed.some((entry) => typeof entry !== 'string')) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `the ${listName} must be an array of strings, e.g. ['https://example.com'], not ${JSON.stringify(allowed)}`,
    );
  }
  const patterns = allowed.map(compile);
  const logger = options.logger ?? defaultLogger;
  const allowsAny = patterns.some((pattern) => pattern.any);
  const listed = `${listName} [${patterns.map((pattern) => pattern.source).join(', ')}]`;
  const memo = new Map<string, Refusal | undefined>();
  // Not async: an open socket then holds inner's promise and none of the guard's.
  const app: Application<S> = (scope, receive, send) => {
    if (scope.type !== 'websocket' || allowsAny)
      return callApplication(inner, scope, receive, send);
    const refused = refusal(scope.headers, patterns, listed, memo);
    if (refused === undefined) return callApplication(inner, scope, receive, send);
    return deny(refused, scope, logger, receive, send);
  };
  // Around a urlRouter, stay one, so that a route outside still matches it as a prefix.
  return wrapping(inner, app);
}

/**
 * Lets a WebSocket connection through only when its `Origin` header matches one of `allowed`
 * (Channels' OriginValidator), so that a page on another site cannot open a socket that rides
 * on your users' cookies (cross-site WebSocket hijacking). Patterns are compiled once, here; an
 * invalid one throws WsgateError `INVALID_OPTION`.
 *
 * | pattern | allows |
 * |---|---|
 * | `a.com` | host a.com, any scheme and port |
 * | `https://a.com` | exactly https, a.com, port 443 (a scheme implies its default port) |
 * | `https://a.com:8443` | exactly https, a.com, port 8443 |
 * | `.a.com` | a.com and its subdomains (Django's leading dot) |
 * | `*.a.com` | subdomains of a.com only |
 * | `*` | anything, even a missing or `null` Origin |
 *
 * Hosts compare after WHATWG URL parsing (case, IDN, IP forms) and without a trailing dot. A
 * missing, empty, repeated, `null` or malformed Origin is refused unless `*` is listed; an
 * empty list refuses everything. A refused connection gets HTTP 403 before the upgrade (the
 * guard answers `websocket.connect` with a close that has no code), the reason is logged at
 * debug level, and `inner`, with any session or user lookup below it, is never called.
 *
 * HTTP requests pass through untouched: browsers omit Origin on plain navigations, so checking
 * it would break links. Cross-site HTTP requests are the job of SameSite cookies and of the
 * session endpoint's own Origin check.
 *
 * @example
 * const app = protocolTypeRouter({
 *   websocket: originValidator(authMiddlewareStack(router, auth), ['https://example.com', '.example.com']),
 * });
 */
export function originValidator<S extends Scope>(
  inner: Application<S>,
  allowed: readonly string[],
  options: OriginValidatorOptions = {},
): Application<S> {
  return guardOrigin(inner, allowed, compileOriginPattern, 'allowed origins', options);
}
