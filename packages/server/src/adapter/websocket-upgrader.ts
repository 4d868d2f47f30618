/**
 * ws in `noServer` mode, driven by the application's decision. ws chooses the subprotocol and
 * writes the 101 inside `handleUpgrade`, synchronously (no `verifyClient` is set); the accept
 * event's choices reach its `handleProtocols` hook and `headers` event (used only to add
 * headers, never to authenticate) through a field set for the length of that call.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Header } from '@wsgate/shared';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { ResolvedServerOptions } from './server-options.js';

/** What the 101 response carries beyond the handshake itself. */
export interface Acceptance {
  readonly subprotocol: string | null;
  readonly headers: readonly Header[];
}

/**
 * Completes WebSocket upgrades with the limits from the options.
 *
 * @example
 * const upgrader = new WebSocketUpgrader(resolveServerOptions());
 * const ws = upgrader.complete(req, socket, head, { subprotocol: null, headers: [] });
 */
export class WebSocketUpgrader {
  readonly #server: WebSocketServer;
  /** The choices of the upgrade `complete` is making; null outside of it. */
  #accepting: Acceptance | null = null;

  constructor(options: ResolvedServerOptions) {
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload,
      maxFragments: options.maxFragments,
      perMessageDeflate: options.perMessageDeflate,
      handleProtocols: () => this.#accepting?.subprotocol ?? false,
    });
    this.#server.on('headers', (lines) => {
      for (const [name, value] of this.#accepting?.headers ?? []) {
        lines.push(`${name}: ${value}`);
      }
    });
  }

  /**
   * Writes the 101 and returns the open WebSocket, or null if the socket was already gone
   * (ws then destroys it). Pipelined bytes in `head`, and any the socket buffered since the
   * `upgrade` event, are read by ws in order.
   */
  complete(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    acceptance: Acceptance,
  ): WebSocket | null {
    let opened: WebSocket | null = null;
    this.#accepting = acceptance;
    try {
      this.#server.handleUpgrade(req, socket, head, (ws) => {
        opened = ws;
      });
    } finally {
      this.#accepting = null;
    }
    return opened;
  }
}
