/**
 * The batteries-included way to run an application: a Node http server with time-outs chosen
 * for an internet-facing WebSocket server, bound where the caller says (loopback by default).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from '@wsgate/shared';
import { ServerErrorCode, WsgateError } from '../errors.js';
import { attach } from './attach.js';
import { resolveServerOptions } from './server-options.js';
import type { ServerOptions } from './server-options.js';

/**
 * Options for `serve()`: where to listen, and the adapter's limits.
 *
 * @example
 * await serve(app, { host: '0.0.0.0', port: 8000, handshakeTimeoutMs: 5_000 });
 */
export interface ServeOptions extends ServerOptions {
  /**
   * The TCP port; 0 picks a free one (read it from the result).
   * @default 0
   */
  readonly port?: number;
  /**
   * The address to bind. Use '0.0.0.0' or '::' only when the server should be reachable
   * from other machines.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * How long one HTTP request, body included, may take (Node's `requestTimeout`). Separate
   * from `handshakeTimeoutMs` so that slow uploads are not cut off at the handshake deadline.
   * @default 300000
   */
  readonly requestTimeoutMs?: number;
}

/**
 * A running server.
 *
 * @example
 * const { url, close } = await serve(app);
 * const socket = new WebSocket(url.replace('http', 'ws') + '/ws/chat/');
 * await close();
 */
export interface RunningServer {
  /** `http://host:port`; use `ws://host:port` for WebSockets. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops listening, refuses new upgrades (503), closes WebSockets with 1001 and waits up to
   * `drainTimeoutMs` for them and for requests in flight, then terminates the rest and ends
   * idle keep-alive connections. Resolves once the server is closed. Idempotent.
   */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Runs `app` on a new HTTP server (WebSocket upgrades included).
 *
 * @example
 * const server = await serve(app, { port: 8000 });
 * console.log(`listening on ${server.url}`);
 * process.once('SIGTERM', () => void server.close());
 */
export async function serve(app: Application, options: ServeOptions = {}): Promise<RunningServer> {
  const { port = 0, host = '127.0.0.1', requestTimeoutMs = 300_000, ...serverOptions } = options;
  if (!Number.isSafeInteger(requestTimeoutMs) || requestTimeoutMs < 1) {
    throw new WsgateError(
      ServerErrorCode.invalidOption,
      `option requestTimeoutMs must be an integer >= 1, got ${String(requestTimeoutMs)}.`,
    );
  }
  const { handshakeTimeoutMs, logger } = resolveServerOptions(serverOptions);
  const server = createServer({
    // Headers that trickle in (Slowloris) are cut off at the handshake deadline; Node checks
    // its deadlines every connectionsCheckingInterval, so that is kept well under it.
    headersTimeout: handshakeTimeoutMs,
    requestTimeout: Math.max(requestTimeoutMs, handshakeTimeoutMs),
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(handshakeTimeoutMs / 4))),
  });
  const attachment = attach(server, app, serverOptions);

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await attachment.close();
    throw error;
  }
  server.on('error', (error) => logger.error('http server error', { error }));

  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    server.close();
    await attachment.close();
    // What is left is idle, or still sending request headers: nothing worth waiting for.
    server.closeAllConnections();
    await closed;
  };
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${hostForUrl(host)}:${bound}`,
    port: bound,
    close: () => (closing ??= close()),
  };
}
