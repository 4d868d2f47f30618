/**
 * Cookies for clients without a browser's cookie jar (Node): kept from the session endpoint's
 * Set-Cookie and sent as the Cookie header on every handshake. In a browser `Set-Cookie` is
 * invisible to scripts, so the jar simply stays empty and the browser does the work.
 */

function parsePair(pair: string): [name: string, value: string] | undefined {
  const separator = pair.indexOf('=');
  const name = pair.slice(0, Math.max(separator, 0)).trim();
  return name ? [name, pair.slice(separator + 1).trim()] : undefined;
}

/**
 * A name-to-value cookie store for one server (no domain or path matching: the client talks
 * to one origin).
 *
 * @example
 * const jar = new CookieJar('theme=dark');
 * jar.store(response.headers.getSetCookie());
 * new WebSocket(url, [], { headers: { cookie: jar.header() } });
 */
export class CookieJar {
  #cookies = new Map<string, string>();

  /** Seeds the jar from a Cookie header the caller supplied. */
  constructor(cookieHeader = '') {
    for (const pair of cookieHeader.split(';')) this.#set(pair);
  }

  /** Applies Set-Cookie lines: stores new values, deletes cookies that expire now. */
  store(setCookieLines: readonly string[], now = Date.now()): void {
    for (const line of setCookieLines) {
      const [pair = '', ...attributes] = line.split(';');
      if (this.#expired(attributes, now)) this.#delete(pair);
      else this.#set(pair);
    }
  }

  /** The Cookie header value, or undefined when there is nothing to send. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #set(pair: string): void {
    const cookie = parsePair(pair);
    if (cookie) this.#cookies.set(cookie[0], cookie[1]);
  }

  #delete(pair: string): void {
    const cookie = parsePair(pair);
    if (cookie) this.#cookies.delete(cookie[0]);
  }

  /** Max-Age wins over Expires (RFC 6265 5.3); servers delete cookies with either. */
  #expired(attributes: readonly string[], now: number): boolean {
    let expires: number | undefined;
    for (const attribute of attributes) {
      const [rawName = '', ...rest] = attribute.split('=');
      const name = rawName.trim().toLowerCase();
      const value = rest.join('=').trim();
      if (name === 'max-age') return Number(value) <= 0;
      if (name === 'expires') expires = Date.parse(value);
    }
    return expires !== undefined && expires <= now;
  }
}
