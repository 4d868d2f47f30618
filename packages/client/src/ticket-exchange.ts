/**
 * Trades a `session.updated` ticket for a session cookie at the server's session endpoint: a
 * WebSocket cannot set cookies after its handshake, an HTTP response can.
 */
import { ClientErrorCode, WsgateClientError } from './client-error.js';
import type { CookieJar } from './cookie-jar.js';

export interface TicketExchangeOptions {
  readonly endpoint: string;
  /** Node's cookie store; in a browser it stays empty and the browser keeps the cookie. */
  readonly jar: CookieJar;
  /** Extra request headers (Node: e.g. the Origin the endpoint checks). */
  readonly headers: Readonly<Record<string, string>>;
  /** A hung endpoint must not hold up what waits for the cookie (a 4401 retry, a refresh). */
  readonly timeoutMs: number;
}

/** Why the endpoint refuses, in words that say what to do (DESIGN.md "Session refresh"). */
const refusals: Readonly<Record<number, string>> = {
  400: 'it found the request malformed; is `sessionEndpoint` pointing at sessionEndpoint()?',
  401: 'the ticket expired, was already used or is unknown (tickets live at most 60 s)',
  403: 'it refused this Origin; in Node pass `headers: { origin }` with an origin the server allows',
};

/**
 * POSTs the ticket (cookies included) and keeps any Set-Cookie the runtime lets us read.
 * Rejects with a `TICKET_EXCHANGE_FAILED` error that carries the HTTP status.
 *
 * @example
 * await exchangeTicket(message.ticket, { endpoint: 'https://app.example/wsgate/session', jar, headers: {} });
 */
export async function exchangeTicket(
  ticket: string,
  options: TicketExchangeOptions,
): Promise<void> {
  const { endpoint, jar } = options;
  const cookie = jar.header();
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'include',
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        ...(cookie === undefined ? {} : { cookie }),
      },
      body: JSON.stringify({ ticket }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (cause) {
    const why =
      (cause as { name?: unknown } | null)?.name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : String(cause);
    throw new WsgateClientError(
      ClientErrorCode.ticketExchangeFailed,
      `could not reach the session endpoint ${endpoint} (${why}); the session cookie was not updated`,
      { cause },
    );
  }
  // Browsers hide Set-Cookie from scripts (and old ones lack getSetCookie): nothing to keep.
  if (typeof response.headers.getSetCookie === 'function') {
    jar.store(response.headers.getSetCookie());
  }
  if (response.ok) return;
  const why = refusals[response.status] ?? `it answered HTTP ${response.status}`;
  throw new WsgateClientError(
    ClientErrorCode.ticketExchangeFailed,
    `the session endpoint ${endpoint} did not take the ticket: ${why}`,
    { status: response.status },
  );
}
