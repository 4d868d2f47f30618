/**
 * Real session cookies for the authenticated rows: the load child logs users in over HTTP,
 * one POST each, and keeps every Set-Cookie. The first few are the warm regime's, reused round
 * robin; the rest are the cold regime's, each sent to a server at most once. A row that only
 * needs cookies its server has not cached (one restarted since) reuses the last login's.
 */
import { Agent, request as httpRequest } from 'node:http';
import { authFixture } from '../auth-fixture.js';
import type { BenchChild } from '../bench-child.js';
import type { PreparedServer } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { ConnectFailure } from './lean-socket.js';
import type { LoadRequest } from './load-request.js';
import { runConcurrently } from './run-concurrently.js';

export interface LoginRequest {
  readonly type: 'auth-login';
  /** `http://127.0.0.1:<port>/login/` of a server that authenticates. */
  readonly url: string;
  /** Users to log in, one cookie each; the first `warmSize` are the warm regime's. */
  readonly count: number;
  readonly warmSize: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Keep the cookies of the last login when there are at least `count`, rather than log in. */
  readonly reuse?: boolean;
}

export interface LoginResult {
  readonly loggedIn: number;
  /** The cookies of an earlier login were kept (`reuse`); nobody logged in. */
  readonly reused: boolean;
  readonly elapsedMs: number;
  readonly failures: Record<string, number>;
}

export interface PooledCookie {
  readonly userId: string;
  /** The cookie as a Cookie header's value: `wsgate.session=...`. */
  readonly pair: string;
  /** The upgrade's header line, `Cookie: wsgate.session=...\r\n`, built once. */
  readonly head: string;
}

/**
 * The logged-in users' cookies. Every server process has its own unseal cache, so a cookie is
 * cold for a server until it was sent there: one list serves every server, with a cursor each.
 *
 * @example
 * const head = cookiePool().nextCold(url); // undefined once every cold cookie went there
 */
export class CookiePool {
  readonly #cookies: readonly PooledCookie[];
  readonly #warmSize: number;
  #warmNext = 0;
  /** Per server URL, the next cold cookie: those before it were already sent there. */
  readonly #coldNext = new Map<string, number>();

  constructor(cookies: readonly PooledCookie[], warmSize: number) {
    this.#cookies = cookies;
    this.#warmSize = Math.min(warmSize, cookies.length);
  }

  get size(): number {
    return this.#cookies.length;
  }

  /** The warm regime's cookies. */
  get warm(): readonly PooledCookie[] {
    return this.#cookies.slice(0, this.#warmSize);
  }

  /** The first `count` cookies, whatever they were used for (fewer if the pool is smaller). */
  first(count: number): readonly PooledCookie[] {
    return this.#cookies.slice(0, count);
  }

  /** The next warm cookie's header line, round robin. */
  nextWarm(): string {
    return this.#cookies[this.#warmNext++ % this.#warmSize]!.head;
  }

  /** The next cookie never sent to `url`'s server, or undefined when none is left. */
  nextCold(url: string): string | undefined {
    const index = this.#coldNext.get(url) ?? this.#warmSize;
    if (index >= this.#cookies.length) return undefined;
    this.#coldNext.set(url, index + 1);
    return this.#cookies[index]!.head;
  }
}

let current: CookiePool | undefined;

/** The pool of the last login run; a harness bug (an error) before any. */
export function cookiePool(): CookiePool {
  if (current === undefined || current.size === 0) {
    throw new Error('bench: no session cookies; auth-login must run first.');
  }
  return current;
}

/** POSTs one login; resolves with the session cookie's `name=value`. */
function postLogin(url: string, userId: string, agent: Agent, timeoutMs: number): Promise<string> {
  const body = `username=${encodeURIComponent(userId)}`;
  return new Promise<string>((resolve, reject) => {
    const fail = (reason: string): void => reject(new ConnectFailure(`login: ${reason}`));
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
        response.on('end', () => {
          const cookie = (response.headers['set-cookie'] ?? [])
            .map((header) => header.split(';')[0] ?? '')
            .find((pair) => pair.startsWith(`${authFixture.cookieName}=`));
          if (response.statusCode !== 204) fail(`answered ${response.statusCode} instead of 204`);
          else if (cookie === undefined) fail('no session cookie in the answer');
          else resolve(cookie);
        });
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    request.end(body);
  });
}

/** Logs in users `0..count-1` and makes their cookies the pool. */
async function logIn(request: LoginRequest): Promise<LoginResult> {
  if (request.reuse === true && current !== undefined && current.size >= request.count) {
    return { loggedIn: request.count, reused: true, elapsedMs: 0, failures: {} };
  }
  const failures = new FailureTally();
  const agent = new Agent({ keepAlive: true, maxSockets: request.concurrency });
  const cookies: PooledCookie[] = [];
  let next = 0;
  const startedAt = performance.now();
  try {
    await runConcurrently(
      request.concurrency,
      () => next < request.count,
      async () => {
        const index = next++;
        const userId = authFixture.userId(index);
        try {
          const cookie = await postLogin(request.url, userId, agent, request.timeoutMs);
          cookies[index] = { userId, pair: cookie, head: `Cookie: ${cookie}\r\n` };
        } catch (error) {
          if (!(error instanceof ConnectFailure)) throw error;
          failures.add(error.message);
        }
      },
    );
  } finally {
    agent.destroy();
  }
  const loggedIn = cookies.filter((cookie) => cookie !== undefined);
  current = new CookiePool(loggedIn, request.warmSize);
  return {
    loggedIn: loggedIn.length,
    reused: false,
    elapsedMs: performance.now() - startedAt,
    failures: failures.toRecord(),
  };
}

/** Load side: the login request the load child answers. */
export const sessionCookieHandlers = { 'auth-login': logIn };

/**
 * Parent side: has the load child log `count` users in at `server` (every login must succeed)
 * and says how fast that went; with `reuse`, says so if the last login's cookies were kept.
 */
export async function logInUsers(
  load: BenchChild<LoadRequest>,
  server: PreparedServer,
  options: Pick<LoginRequest, 'count' | 'warmSize' | 'concurrency' | 'timeoutMs' | 'reuse'>,
): Promise<string> {
  const { count } = options;
  if (count > authFixture.userCount) {
    throw new Error(
      `bench: ${count} logins needed, but the server has ${authFixture.userCount} users.`,
    );
  }
  // A login costs about a millisecond of server CPU: 5 ms each is a generous bound.
  const result = await load.request<LoginResult>(
    {
      type: 'auth-login',
      url: `http://127.0.0.1:${server.port}${authFixture.loginPath}`,
      ...options,
    } satisfies LoginRequest,
    10_000 + count * 5,
  );
  if (result.loggedIn < count) {
    throw new Error(
      `bench: ${count - result.loggedIn} of ${count} logins failed: ${JSON.stringify(result.failures)}`,
    );
  }
  if (result.reused) return `reused ${count} session cookies of an earlier login`;
  const seconds = result.elapsedMs / 1_000;
  return `logged in ${count} users over HTTP (${server.name}) in ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(0)}/s`;
}
