/**
 * Requests the client made and the server has not answered yet, by id. Each one ends exactly
 * once: answered, timed out, or failed because the connection or the client ended.
 */
import type { AuthResultMessage, ClientMessage, ErrorMessage, RequestId } from '@wsgate/shared';
import { ErrorCode } from '@wsgate/shared';
import { ClientErrorCode, WsgateClientError } from './client-error.js';

/** The request types that expect an `auth.result` (pings are answered by `session.pong`). */
export type RequestType = Exclude<ClientMessage['type'], 'session.ping'>;

interface Pending {
  readonly type: RequestType;
  readonly resolve: (result: AuthResultMessage) => void;
  readonly reject: (error: WsgateClientError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  /** True once it was written to a socket: only then can a lost connection have eaten it. */
  sent: boolean;
}

/**
 * Creates requests with ids and settles them from the server's answers.
 *
 * @example
 * const requests = new RequestManager(10_000, (id) => queue.removeRequest(id));
 * const { id, result } = requests.create('auth.whoami');
 * socket.send(encodeMessage({ type: 'auth.whoami', id }));
 * const answer = await result; // rejects on `ok: false`, an `error` frame, or the time-out
 */
export class RequestManager {
  #pending = new Map<RequestId, Pending>();
  #nextId = 1;

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (id: RequestId) => void,
  ) {}

  /** A fresh id, also for messages that are not tracked here (pings). */
  nextId(): number {
    return this.#nextId++;
  }

  create(type: RequestType): { id: RequestId; result: Promise<AuthResultMessage> } {
    const id = this.nextId();
    const result = new Promise<AuthResultMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.#pending.get(id);
        this.#pending.delete(id);
        this.onTimeout(id);
        const where = pending?.sent ? 'after it was sent' : 'while the client was not connected';
        reject(
          new WsgateClientError(
            ClientErrorCode.requestTimeout,
            `${type} got no answer within ${this.timeoutMs} ms (${where}); check that the server runs socketAuthMiddleware, or raise requestTimeoutMs`,
          ),
        );
      }, this.timeoutMs);
      this.#pending.set(id, { type, resolve, reject, timer, sent: false });
    });
    return { id, result };
  }

  markSent(id: RequestId): void {
    const pending = this.#pending.get(id);
    if (pending) pending.sent = true;
  }

  /** Settles the request an `auth.result` answers; false when no request has that id. */
  settle(message: AuthResultMessage): boolean {
    const pending = this.#take(message.id);
    if (!pending) return false;
    if (message.ok) pending.resolve(message);
    else {
      const error = message.error ?? {
        code: ErrorCode.badMessage,
        message: 'the server refused without saying why',
      };
      pending.reject(new WsgateClientError(error.code, `${pending.type}: ${error.message}`));
    }
    return true;
  }

  /** Fails the request an `error` frame names; false when it names none of ours. */
  reject(message: Pick<ErrorMessage, 'id' | 'code' | 'message'>): boolean {
    if (message.id === undefined) return false;
    const pending = this.#take(message.id);
    if (!pending) return false;
    pending.reject(new WsgateClientError(message.code, `${pending.type}: ${message.message}`));
    return true;
  }

  /** The connection ended: requests on the wire cannot be answered any more; unsent ones wait. */
  connectionLost(closeCode: number, reason: string): void {
    for (const [id, pending] of this.#pending) {
      if (!pending.sent) continue;
      this.#take(id);
      pending.reject(
        new WsgateClientError(
          ClientErrorCode.connectionLost,
          `${pending.type} was sent but the connection closed (${closeCode}${reason ? `: ${reason}` : ''}) before the answer; the server may have acted on it`,
          { closeCode },
        ),
      );
    }
  }

  /** Fails every request, sent or not. */
  rejectAll(error: WsgateClientError): void {
    for (const id of [...this.#pending.keys()]) this.#take(id)?.reject(error);
  }

  #take(id: RequestId): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.#pending.delete(id);
    return pending;
  }
}
