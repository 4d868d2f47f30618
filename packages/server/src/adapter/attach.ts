/**
 * Mounting an application on an http(s) server someone else created (Express, Fastify, a
 * custom Next server): WebSocket upgrades always, HTTP requests unless the host framework
 * keeps them.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Application } from '@wsgate/shared';
import { HandshakeDeadlines } from './handshake-deadlines.js';
import { Heartbeat } from './heartbeat.js';
import { HttpConnection } from './http-connection.js';
import { rejectHandshake } from './reject-handshake.js';
import { httpScope, websocketScope } from './request-scope.js';
import { resolveServerOptions } from './server-options.js';
import type { ServerOptions } from './server-options.js';
import { WebSocketConnection } from './websocket-connection.js';
import { WebSocketUpgrader } from './websocket-upgrader.js';

/**
 * Options for `attach()`: the adapter's limits, and whether to take HTTP requests too.
 *
 * @example
 * attach(server, app, { http: false, maxPayload: 16 * 1024 });
 */
export interface AttachOptions extends ServerOptions {
  /**
   * Handle the server's HTTP `request` events with the application. Pass `false` when another
   * framework (Express, Fastify) answers HTTP and wsgate should only take WebSocket upgrades.
   * @default true
   */
  readonly http?: boolean;
}

/**
 * A mounted application.
 *
 * @example
 * const wsgate = attach(server, app);
 * process.once('SIGTERM', async () => {
 *   await wsgate.close();
 *   server.close();
 * });
 */
export interface Attachment {
  /**
   * Stops taking new connections (upgrades get 503, requests 503), closes open WebSockets
   * with 1001, waits up to `drainTimeoutMs` for them and for requests in flight, then
   * terminates what is left and removes wsgate's listeners. The server itself stays open: it is
   * yours. Idempotent.
   */
  close(): Promise<void>;
}

interface Connection {
  shutdown(): void;
  terminate(): void;
}

/**
 * Runs `app` on an existing server. It owns the server's `upgrade` event, so register no
 * other upgrade handler; with `{ http: false }` it leaves `request` to your framework. The
 * server's own `headersTimeout`/`requestTimeout` govern slow request headers (serve() sets
 * them from `handshakeTimeoutMs`; here they are your server's settings).
 *
 * @example
 * const server = http.createServer(expressApp);
 * const wsgate = attach(server, protocolTypeRouter({ websocket: chat }), { http: false });
 * server.listen(3000);
 * // on shutdown:
 * await wsgate.close();
 */
export function attach(
  server: HttpServer | HttpsServer,
  app: Application,
  options: AttachOptions = {},
): Attachment {
  const { http = true, ...serverOptions } = options;
  const resolved = resolveServerOptions(serverOptions);
  const { logger } = resolved;
  const upgrader = new WebSocketUpgrader(resolved);
  const deadlines = new HandshakeDeadlines(resolved.handshakeTimeoutMs);
  const heartbeat = new Heartbeat(resolved.pingIntervalMs);
  const live = new Set<Connection>();
  let closing: Promise<void> | null = null;
  // A callback rather than a promise per connection: an idle socket then holds no promise,
  // reaction or closure for its own tracking.
  let noneLive: (() => void) | null = null;
  const untrack = (connection: Connection): void => {
    live.delete(connection);
    if (live.size === 0) noneLive?.();
  };
  const allClosed = (): Promise<void> =>
    live.size === 0 ? Promise.resolve() : new Promise((resolve) => (noneLive = resolve));

  // Node leaves an upgraded socket without an error listener; a reset would crash the process.
  // One listener for every socket, so that an idle connection does not keep a closure for it.
  const onSocketError = (error: Error): void => {
    logger.debug('upgrade socket error', { error: error.message });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', onSocketError);
    if (closing !== null) {
      logger.debug('websocket refused: the server is closing (503)', { url: req.url });
      rejectHandshake(socket, 503);
      return;
    }
    const result = websocketScope(req, resolved);
    if (!result.ok) {
      logger.debug(`websocket refused: ${result.reason} (${result.status})`, { url: req.url });
      rejectHandshake(socket, result.status);
      return;
    }
    const connection = new WebSocketConnection({
      req,
      socket,
      head,
      scope: result.scope,
      upgrader,
      deadlines,
      heartbeat,
      options: resolved,
      onClosed: untrack,
    });
    live.add(connection);
    void connection.run(app);
  };

  const refuseRequest = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    reason: string,
  ) => {
    logger.debug(`http request refused: ${reason} (${status})`, { url: req.url });
    res.shouldKeepAlive = false;
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(reason),
    });
    res.end(reason);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (closing !== null) {
      refuseRequest(req, res, 503, 'the server is closing');
      return;
    }
    const result = httpScope(req, resolved);
    if (!result.ok) {
      refuseRequest(req, res, result.status, result.reason);
      return;
    }
    const connection = new HttpConnection(req, res, result.scope, resolved, untrack);
    live.add(connection);
    void connection.run(app);
  };

  if (http && server.listenerCount('request') > 0) {
    logger.warn(
      'attach(): the server already has a request handler, and both will answer every HTTP ' +
        'request. Pass { http: false } to leave HTTP to it.',
    );
  }
  server.on('upgrade', onUpgrade);
  if (http) server.on('request', onRequest);

  const drain = async (): Promise<void> => {
    for (const connection of live) connection.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, resolved.drainTimeoutMs);
    });
    await Promise.race([allClosed(), deadline]);
    clearTimeout(timer);
    const stragglers = [...live];
    if (stragglers.length > 0) {
      logger.debug(`terminating ${stragglers.length} connections still open after drainTimeoutMs`);
    }
    for (const connection of stragglers) connection.terminate();
    await allClosed();
    server.off('upgrade', onUpgrade);
    server.off('request', onRequest);
  };

  return {
    close: () => (closing ??= drain()),
  };
}
