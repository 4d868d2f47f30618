/**
 * What the client holds while it is not connected: application messages (bounded by
 * `queueLimit`) and control requests (bounded by their time-out instead), in the order they were
 * made, so that a `login()` followed by a `send()` reaches the server in that order.
 */
import type { RequestId } from '@wsgate/shared';

/** What `send()` accepts, as `WebSocket.send` does (minus Blob, which cannot be copied synchronously). */
export type OutgoingData = string | ArrayBufferLike | ArrayBufferView;

type Entry =
  | { readonly kind: 'message'; readonly data: OutgoingData }
  | { readonly kind: 'request'; readonly id: RequestId; readonly text: string };

/**
 * Binary data is copied when queued: `WebSocket.send` takes a snapshot, and a caller that reuses
 * its buffer after `send()` returned must not change what is sent later.
 */
function snapshot(data: OutgoingData): OutgoingData {
  if (typeof data === 'string') return data;
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  return bytes.slice();
}

/**
 * A first-in, first-out queue of outgoing frames.
 *
 * @example
 * const queue = new SendQueue(100);
 * if (!queue.pushMessage('hello')) reportDropped('hello');
 * socket.onopen = () => queue.flush((data) => (socket.send(data), socket.readyState === 1));
 */
export class SendQueue {
  #entries: Entry[] = [];
  #messages = 0;

  constructor(private readonly limit: number) {}

  /** Application messages waiting (requests do not count against the limit). */
  get size(): number {
    return this.#messages;
  }

  /** Queues an application message; false when the queue is full and it was not queued. */
  pushMessage(data: OutgoingData): boolean {
    if (this.#messages >= this.limit) return false;
    this.#entries.push({ kind: 'message', data: snapshot(data) });
    this.#messages += 1;
    return true;
  }

  pushRequest(id: RequestId, text: string): void {
    this.#entries.push({ kind: 'request', id, text });
  }

  /** Forgets a request that timed out or was cancelled before it could be sent. */
  removeRequest(id: RequestId): void {
    this.#entries = this.#entries.filter((entry) => entry.kind !== 'request' || entry.id !== id);
  }

  /**
   * Writes entries in order until `write` returns false (the socket stopped being open); what
   * was not written stays queued for the next connection.
   */
  flush(write: (data: OutgoingData, requestId?: RequestId) => boolean): void {
    while (this.#entries.length > 0) {
      const entry = this.#entries[0]!;
      const written = entry.kind === 'message' ? write(entry.data) : write(entry.text, entry.id);
      if (!written) return;
      this.#entries.shift();
      if (entry.kind === 'message') this.#messages -= 1;
    }
  }

  /** Empties the queue and returns the application messages it held, so none is lost silently. */
  drain(): OutgoingData[] {
    const messages = this.#entries.flatMap((entry) =>
      entry.kind === 'message' ? [entry.data] : [],
    );
    this.#entries = [];
    this.#messages = 0;
    return messages;
  }
}
