/**
 * The LoadClient of `ws` targets: LeanSocket, the minimal WebSocket client, with each message
 * one JSON text frame.
 */
import type { LoadClient, LoadConnection, LoadMessage } from './load-client.js';
import { LeanSocket, leanTarget } from './lean-socket.js';

function parseReply(payload: Buffer): unknown {
  const text = payload.toString();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Whatever the loop expected, this is not it; the text says why in the tally.
    return text;
  }
}

class LeanConnection implements LoadConnection {
  onMessage: ((message: unknown) => void) | undefined;
  onClose: ((reason: string) => void) | undefined;
  readonly #socket: LeanSocket;

  constructor(socket: LeanSocket) {
    this.#socket = socket;
    socket.onText = (payload) => this.onMessage?.(parseReply(payload));
    socket.onClose = (code) => this.onClose?.(`closed with ${code}`);
  }

  get isOpen(): boolean {
    return this.#socket.isOpen;
  }

  send(message: LoadMessage): void {
    this.#socket.sendText(Buffer.from(JSON.stringify(message)));
  }

  async close(timeoutMs: number): Promise<string | undefined> {
    if (await this.#socket.close(timeoutMs)) return undefined;
    const code = this.#socket.closeCode;
    return code === 1006
      ? 'close not clean (no 1000 back in time)'
      : `closed with ${code} instead of 1000`;
  }
}

/**
 * A LoadClient for the WebSocket server at `url` (`ws://host:port/path`).
 *
 * @example
 * const connection = await leanLoadClient(url, {}).open(5_000);
 */
export function leanLoadClient(url: string, headers: Readonly<Record<string, string>>): LoadClient {
  const target = leanTarget(url, headers);
  return {
    open: async (timeoutMs, extraHead) =>
      new LeanConnection(await LeanSocket.open(target, timeoutMs, extraHead)),
  };
}
