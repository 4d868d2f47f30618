import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';

/** Why a connection attempt failed, short enough to tally by. */
export class ConnectFailure extends Error {
  override readonly name = 'ConnectFailure';
}

/**
 * Opens a client WebSocket the way every load generator does (no compression, as the
 * servers have none) and resolves once it is open. A refused upgrade, a socket error or no
 * open within `timeoutMs` rejects with a ConnectFailure and leaves no socket behind.
 *
 * @example
 * const socket = await openSocket('ws://127.0.0.1:4000/echo/', 5_000);
 */
export function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const settle = (): void => {
      clearTimeout(timer);
      socket.off('open', onOpen);
      socket.off('unexpected-response', onResponse);
      socket.off('error', onError);
    };
    const fail = (reason: string): void => {
      settle();
      // A late error from the discarded socket must not become an uncaught exception.
      socket.on('error', () => {});
      socket.terminate();
      reject(new ConnectFailure(reason));
    };
    const onOpen = (): void => {
      settle();
      resolve(socket);
    };
    const onResponse = (_request: ClientRequest, response: IncomingMessage): void =>
      fail(`HTTP ${response.statusCode} instead of 101`);
    const onError = (error: NodeJS.ErrnoException): void => fail(error.code ?? error.message);
    const timer = setTimeout(() => fail(`no open within ${timeoutMs} ms`), timeoutMs);
    socket.on('open', onOpen);
    socket.on('unexpected-response', onResponse);
    socket.on('error', onError);
  });
}

/**
 * Closes a socket with 1000 and resolves when the closing handshake is over (or after
 * `timeoutMs`, by terminating it). Resolves with whether the close was clean.
 */
export function closeSocket(socket: WebSocket, timeoutMs: number): Promise<boolean> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(false);
    }, timeoutMs);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code === 1000);
    });
    socket.on('error', () => {});
    socket.close(1000);
  });
}
