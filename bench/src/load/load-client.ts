/**
 * What the load loops need of a connection, whatever protocol the server speaks: open one
 * (with header lines of its own, a Cookie say), send a JSON message, hear the server's
 * messages and an unexpected end, close and wait for the end. The loops (handshakes, echo,
 * the authenticated rows) are written once against it; a target's `protocol` picks the client.
 */
import { leanLoadClient } from './lean-load-client.js';
import { socketIoLoadClient } from './socket-io-load-client.js';

/** What a server speaks: WebSocket itself, or Socket.IO over WebSocket. */
export type Protocol = 'ws' | 'socket.io';

/** A message the loops send: JSON, named by its `type` (Socket.IO's event name). */
export interface LoadMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** One open connection. */
export interface LoadConnection {
  /** True until either side began to close. */
  readonly isOpen: boolean;
  send(message: LoadMessage): void;
  /** Each message from the server, parsed; a text frame that is not JSON comes as its text. */
  onMessage: ((message: unknown) => void) | undefined;
  /**
   * The connection ended, with why (short enough to tally). Also called after `close()`:
   * clear it first when that end is expected.
   */
  onClose: ((reason: string) => void) | undefined;
  /**
   * Closes and waits for the end of the connection (the server's answer, then the TCP close);
   * after `timeoutMs` the connection is destroyed. Resolves with what was not clean about it,
   * or undefined when nothing was.
   */
  close(timeoutMs: number): Promise<string | undefined>;
}

/** Opens connections to one URL. */
export interface LoadClient {
  /**
   * Rejects with a ConnectFailure, leaving nothing open. `extraHead` is header lines for this
   * connection only, each ending in CRLF (a Cookie, say).
   */
  open(timeoutMs: number, extraHead?: string): Promise<LoadConnection>;
}

/**
 * The client for a server that speaks `protocol` at `url` (`ws://host:port/path`, the path
 * being Socket.IO's engine path for a Socket.IO server); `headers` (an Origin, say) go on
 * every connection.
 *
 * @example
 * const client = loadClient('socket.io', url, { Origin: 'http://localhost' });
 * const connection = await client.open(5_000, 'Cookie: wsgate.session=...\r\n');
 */
export function loadClient(
  protocol: Protocol,
  url: string,
  headers: Readonly<Record<string, string>> = {},
): LoadClient {
  return protocol === 'ws' ? leanLoadClient(url, headers) : socketIoLoadClient(url, headers);
}
