import type { Application, InboundEvent, OutboundEvent, Scope } from '@wsgate/shared';
import { AsyncQueue } from '../async-queue.js';
import { WsgateError } from '../errors.js';

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * Runs an application in-process, with no sockets: what you send becomes its `receive()`, what
 * it sends waits for you in order, and its crash is rethrown to whoever waits next. The base of
 * `WebsocketCommunicator` and `HttpCommunicator` (asgiref's ApplicationCommunicator).
 *
 * A time-out does not stop the application, so a test can wait again; `wait()` (and the
 * subclasses' `disconnect()`) is what tears it down.
 *
 * @example
 * const communicator = new ApplicationCommunicator(app, scope);
 * await communicator.sendInput({ type: 'websocket.connect' });
 * expect(await communicator.receiveOutput()).toEqual({ type: 'websocket.accept', subprotocol: null });
 */
export class ApplicationCommunicator<S extends Scope = Scope> {
  readonly scope: S;
  readonly #input = new AsyncQueue<InboundEvent>();
  readonly #output = new AsyncQueue<OutboundEvent>();
  /** Aborted on teardown: pending and later `receive()` calls of the application reject. */
  readonly #stop = new AbortController();
  readonly #finished: Promise<Outcome>;
  #outcome: Outcome | undefined;
  /** Wakes a `receiveNothing()` early when output arrives. */
  #onOutput: (() => void) | undefined;

  constructor(app: Application<S>, scope: S) {
    this.scope = scope;
    const signal = this.#stop.signal;
    const receive = (): Promise<InboundEvent> => this.#input.shift(signal);
    const send = (event: OutboundEvent): Promise<void> => {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      this.#output.push(event);
      this.#onOutput?.();
      return Promise.resolve();
    };
    // Settled either way, so a crash nobody waits for is not an unhandled rejection.
    this.#finished = (async () => app(scope, receive, send))().then(
      (): Outcome => (this.#outcome = { ok: true }),
      (error: unknown): Outcome =>
        (this.#outcome =
          signal.aborted && error === signal.reason ? { ok: true } : { ok: false, error }),
    );
  }

  /** Hands one event to the application's `receive()`. */
  sendInput(event: InboundEvent): Promise<void> {
    this.#input.push(event);
    return Promise.resolve();
  }

  /**
   * The next event the application sent. Rethrows the application's exception if it crashed;
   * throws `WsgateError('TIMEOUT')` if nothing arrives in time or the application returned.
   */
  receiveOutput(timeoutMs = 1000): Promise<OutboundEvent> {
    return this.receiveOutputFor(timeoutMs, 'the application to send an event');
  }

  /**
   * True if the application sends nothing within `timeoutMs` (nothing is consumed either way).
   * Rethrows the application's exception if it crashed, so a crash never passes as silence.
   */
  async receiveNothing(timeoutMs = 100): Promise<boolean> {
    if (this.#output.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.#onOutput = wake;
        void this.#finished.then(wake);
      });
      this.#onOutput = undefined;
    }
    if (this.#output.length > 0) return false;
    this.#rethrowCrash();
    return true;
  }

  /**
   * Waits for the application to return and rethrows its exception. If it is still running
   * after `timeoutMs`, stops it (its pending `receive()` rejects) and throws
   * `WsgateError('TIMEOUT')`.
   */
  async wait(timeoutMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([this.#finished, timedOut]);
      if (outcome === 'timeout') {
        throw new WsgateError(
          'TIMEOUT',
          `the application did not return within ${timeoutMs} ms; it was stopped. An application ` +
            'should return once it receives websocket.disconnect (or has sent its HTTP response).',
        );
      }
      if (!outcome.ok) throw outcome.error;
    } finally {
      clearTimeout(timer);
      this.#teardown();
    }
  }

  /**
   * `receiveOutput` with the wait described, so a time-out says what was expected
   * (e.g. "websocket.accept or websocket.close after websocket.connect").
   */
  protected async receiveOutputFor(timeoutMs: number, waitingFor: string): Promise<OutboundEvent> {
    if (this.#output.length > 0) return this.#output.shift();
    this.#rethrowCrash();
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(
        new WsgateError('TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${waitingFor}.`),
      );
    }, timeoutMs);
    // Fail fast when the application ends: nothing more can arrive.
    void this.#finished.then((outcome) => {
      controller.abort(
        outcome.ok
          ? new WsgateError(
              'TIMEOUT',
              `the application returned while the test was waiting for ${waitingFor}.`,
            )
          : outcome.error,
      );
    });
    try {
      return await this.#output.shift(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  #rethrowCrash(): void {
    if (this.#outcome && !this.#outcome.ok) throw this.#outcome.error;
  }

  #teardown(): void {
    if (!this.#stop.signal.aborted) {
      this.#stop.abort(new WsgateError('TIMEOUT', 'the testing communicator was torn down.'));
    }
  }
}
