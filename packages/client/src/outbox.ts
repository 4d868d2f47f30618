/**
 * Everything the client sends. On an open connection messages and requests go out at once;
 * otherwise they wait in one ordered queue (so a `login()` then a `send()` arrive in that
 * order), and requests are tracked until answered, timed out or failed.
 */
import type { AuthResultMessage, ClientMessage } from '@wsgate/shared';
import { encodeMessage } from '@wsgate/shared';
import type { WsgateClientError } from './client-error.js';
import type { RequestType } from './request-manager.js';
import { RequestManager } from './request-manager.js';
import type { OutgoingData } from './send-queue.js';
import { SendQueue } from './send-queue.js';

/** An open connection, as far as sending goes. */
export interface Link {
  /** False when the socket is no longer open. */
  send(data: OutgoingData): boolean;
}

/**
 * @example
 * const outbox = new Outbox(100, 10_000);
 * outbox.message('hello', undefined); // 'queued'
 * outbox.flush(connection); // on open
 */
export class Outbox {
  /** Pending requests; the client settles them from the server's answers. */
  readonly requests: RequestManager;
  readonly #queue: SendQueue;

  constructor(queueLimit: number, requestTimeoutMs: number) {
    this.#queue = new SendQueue(queueLimit);
    this.requests = new RequestManager(requestTimeoutMs, (id) => this.#queue.removeRequest(id));
  }

  /** Sends over `link` (the open connection, if any) or queues; `full` when neither worked. */
  message(data: OutgoingData, link: Link | undefined): 'sent' | 'queued' | 'full' {
    if (link?.send(data)) return 'sent';
    return this.#queue.pushMessage(data) ? 'queued' : 'full';
  }

  request(
    type: RequestType,
    fields: { readonly credentials?: unknown },
    link: Link | undefined,
  ): Promise<AuthResultMessage> {
    const { id, result } = this.requests.create(type);
    const text = encodeMessage({ type, id, ...fields } as ClientMessage);
    if (link?.send(text)) this.requests.markSent(id);
    else this.#queue.pushRequest(id, text);
    return result;
  }

  /** Sends what waited, in order, until the link stops taking frames. */
  flush(link: Link): void {
    this.#queue.flush((data, requestId) => {
      if (!link.send(data)) return false;
      if (requestId !== undefined) this.requests.markSent(requestId);
      return true;
    });
  }

  /** Fails every request and hands back the messages that will never be sent. */
  close(reason: WsgateClientError): OutgoingData[] {
    this.requests.rejectAll(reason);
    return this.#queue.drain();
  }
}
