import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isChildMessage } from './ipc-messages.js';
import type { ReadyMessage, ReplyMessage, RequestMessage, StopRequest } from './ipc-messages.js';

export interface BenchChildOptions {
  /** How the child is named in errors and in the run log. */
  readonly label: string;
  /** Module path relative to this file's directory (dist/), e.g. `servers/raw-ws.js`. */
  readonly entry: string;
  /** A CPU list for `taskset -c`, or undefined to leave scheduling to the OS. */
  readonly cpu: string | undefined;
  /** Extra `node` flags, e.g. `--expose-gc` or `--cpu-prof`. */
  readonly execArgv?: readonly string[];
  /** Arguments for the entry module itself (its `process.argv` after the script). */
  readonly args?: readonly string[];
  /** How long the child may take to report ready. @default 10000 */
  readonly readyTimeoutMs?: number;
}

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly what: string;
}

/**
 * A server or load generator in its own process, pinned to a CPU when asked, spoken to by
 * request and reply over IPC. Every request is bounded in time, and a child that exits
 * unexpectedly rejects whatever was pending with its exit code, so a crash fails the run.
 *
 * @example
 * const server = await BenchChild.start<ServerRequest>({ label: 'raw ws', entry: 'servers/raw-ws.js', cpu: '0' });
 * const usage = await server.request<ServerUsage>({ type: 'usage', gc: true }, 5_000);
 * await server.stop();
 */
export class BenchChild<Request extends { readonly type: string }> {
  readonly label: string;
  readonly ready: ReadyMessage;
  readonly #process: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #exitError: Error | undefined;
  #stopping = false;
  #rejectCrashed: (error: Error) => void = () => {};
  /**
   * Rejects when the child exits without being asked to; race long waits against it so a
   * server that dies mid-run fails the run at once rather than at its next request.
   */
  readonly crashed: Promise<never>;

  private constructor(
    label: string,
    child: ChildProcess,
    ready: ReadyMessage,
    exited: Promise<void>,
  ) {
    this.label = label;
    this.#process = child;
    this.ready = ready;
    this.#exited = exited;
    this.crashed = new Promise<never>((_resolve, reject) => {
      this.#rejectCrashed = reject;
    });
    // Nobody may be racing against it at the moment of a crash; the rejection still counts.
    this.crashed.catch(() => {});
    child.on('message', (message: unknown) => {
      if (isChildMessage(message) && message.kind === 'reply') this.#settle(message);
    });
  }

  static start<Request extends { readonly type: string }>(
    options: BenchChildOptions,
  ): Promise<BenchChild<Request>> {
    const script = fileURLToPath(new URL(options.entry, import.meta.url));
    const nodeArgs = [...(options.execArgv ?? []), script, ...(options.args ?? [])];
    const [command, args] =
      options.cpu === undefined
        ? [process.execPath, nodeArgs]
        : ['taskset', ['-c', options.cpu, process.execPath, ...nodeArgs]];
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let instance: BenchChild<Request> | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (instance !== undefined) instance.#onExit(code, signal);
        resolve();
      });
    });
    return new Promise<BenchChild<Request>>((resolve, reject) => {
      const timeoutMs = options.readyTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`bench: ${options.label} did not report ready within ${timeoutMs} ms.`));
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`bench: could not start ${options.label}: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `bench: ${options.label} exited before it was ready (code ${code}, signal ${signal}); its stderr is above.`,
          ),
        );
      });
      child.once('message', (message: unknown) => {
        clearTimeout(timer);
        if (!isChildMessage(message) || message.kind !== 'ready') {
          child.kill('SIGKILL');
          reject(
            new Error(`bench: ${options.label} sent ${JSON.stringify(message)} before ready.`),
          );
          return;
        }
        instance = new BenchChild<Request>(options.label, child, message, exited);
        resolve(instance);
      });
    });
  }

  /** Sends one request; rejects on the child's error, its exit, or after `timeoutMs`. */
  request<Result>(request: Request | StopRequest, timeoutMs: number): Promise<Result> {
    if (this.#exitError !== undefined) return Promise.reject(this.#exitError);
    const id = this.#nextId++;
    const what = `${this.label} ${request.type}`;
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`bench: ${what} got no answer within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer, what });
      const message: RequestMessage = { kind: 'request', id, request };
      this.#process.send(message);
    });
  }

  /** Asks the child to close and exit; kills it if it does not within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#exitError !== undefined) return;
    this.#stopping = true;
    const killed = new Promise<'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      void this.#exited.then(() => clearTimeout(timer));
    });
    const stopped = this.request({ type: 'stop' }, timeoutMs).then(
      () => this.#exited,
      (error: unknown) => {
        // The exit can overtake the reply on the IPC channel; exit code 0 is the answer.
        if (this.#process.exitCode === 0) return;
        throw error;
      },
    );
    const outcome = await Promise.race([stopped, killed]);
    if (outcome === 'timeout') {
      this.#process.kill('SIGKILL');
      await this.#exited;
      throw new Error(`bench: ${this.label} did not stop within ${timeoutMs} ms and was killed.`);
    }
  }

  /** Kills the child without ceremony; for clean-up after a failure. */
  kill(): void {
    this.#stopping = true;
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      this.#process.kill('SIGKILL');
    }
  }

  #settle(reply: ReplyMessage): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new Error(`bench: ${pending.what} failed in the child:\n${reply.error}`));
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const expected = this.#stopping && code === 0;
    const error = new Error(
      expected
        ? `bench: ${this.label} was stopped.`
        : `bench: ${this.label} exited unexpectedly (code ${code}, signal ${signal}); its stderr is above.`,
    );
    this.#exitError = error;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(new Error(`${error.message} While waiting for: ${pending.what}.`));
    }
    if (!expected) this.#rejectCrashed(error);
  }
}
