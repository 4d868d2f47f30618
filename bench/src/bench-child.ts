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

interface Spawned {
  readonly child: ChildProcess;
  readonly ready: ReadyMessage;
  /** Resolves once the process exited. */
  readonly exited: Promise<void>;
}

/**
 * Starts the entry module and waits for its ready message. `onExit` hears of an exit after
 * ready; one before it rejects the start instead.
 */
function spawnChild(
  options: BenchChildOptions,
  onExit: (child: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => void,
): Promise<Spawned> {
  const script = fileURLToPath(new URL(options.entry, import.meta.url));
  const nodeArgs = [...(options.execArgv ?? []), script, ...(options.args ?? [])];
  const [command, args] =
    options.cpu === undefined
      ? [process.execPath, nodeArgs]
      : ['taskset', ['-c', options.cpu, process.execPath, ...nodeArgs]];
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let isReady = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (isReady) onExit(child, code, signal);
      resolve();
    });
  });
  return new Promise<Spawned>((resolve, reject) => {
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
        reject(new Error(`bench: ${options.label} sent ${JSON.stringify(message)} before ready.`));
        return;
      }
      isReady = true;
      resolve({ child, ready: message, exited });
    });
  });
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
  readonly #options: BenchChildOptions;
  #spawned: Spawned;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exitError: Error | undefined;
  #stopping = false;
  /** The process `restart` killed: its exit is expected, and not the child's end. */
  #killedForRestart: ChildProcess | undefined;
  #rejectCrashed: (error: Error) => void = () => {};
  /**
   * Rejects when the child exits without being asked to; race long waits against it so a
   * server that dies mid-run fails the run at once rather than at its next request. A
   * `restart` is asked for: it leaves this pending, and it covers the new process.
   */
  readonly crashed: Promise<never>;

  private constructor(options: BenchChildOptions, spawned: Spawned) {
    this.label = options.label;
    this.#options = options;
    this.#spawned = spawned;
    this.crashed = new Promise<never>((_resolve, reject) => {
      this.#rejectCrashed = reject;
    });
    // Nobody may be racing against it at the moment of a crash; the rejection still counts.
    this.crashed.catch(() => {});
    this.#listen(spawned.child);
  }

  static async start<Request extends { readonly type: string }>(
    options: BenchChildOptions,
  ): Promise<BenchChild<Request>> {
    // Called for an exit after ready: an event, which cannot come before `instance` is set.
    const spawned = await spawnChild(options, (child, code, signal) =>
      instance.#onExit(child, code, signal),
    );
    const instance = new BenchChild<Request>(options, spawned);
    return instance;
  }

  /** What the child said when it was ready (a server's port); the new process's after a restart. */
  get ready(): ReadyMessage {
    return this.#spawned.ready;
  }

  /**
   * Kills the child with SIGKILL, as a crash would, and starts the same entry again with
   * `args` (the same CPU and node flags). Requests still pending are rejected; resolves once
   * the new process is ready.
   *
   * @example
   * await server.restart(['--port', String(server.ready.port)]); // back on the same port
   */
  async restart(args: readonly string[]): Promise<void> {
    if (this.#exitError !== undefined) throw this.#exitError;
    this.#killedForRestart = this.#spawned.child;
    this.#killedForRestart.kill('SIGKILL');
    await this.#spawned.exited;
    this.#spawned = await spawnChild({ ...this.#options, args }, (child, code, signal) =>
      this.#onExit(child, code, signal),
    );
    this.#listen(this.#spawned.child);
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
      this.#spawned.child.send(message);
    });
  }

  /** Asks the child to close and exit; kills it if it does not within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.#exitError !== undefined) return;
    this.#stopping = true;
    const { child, exited } = this.#spawned;
    const killed = new Promise<'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      void exited.then(() => clearTimeout(timer));
    });
    const stopped = this.request({ type: 'stop' }, timeoutMs).then(
      () => exited,
      (error: unknown) => {
        // The exit can overtake the reply on the IPC channel; exit code 0 is the answer.
        if (child.exitCode === 0) return;
        throw error;
      },
    );
    const outcome = await Promise.race([stopped, killed]);
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`bench: ${this.label} did not stop within ${timeoutMs} ms and was killed.`);
    }
  }

  /** Kills the child without ceremony; for clean-up after a failure. */
  kill(): void {
    this.#stopping = true;
    const { child } = this.#spawned;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  #listen(child: ChildProcess): void {
    child.on('message', (message: unknown) => {
      if (isChildMessage(message) && message.kind === 'reply') this.#settle(message);
    });
  }

  #settle(reply: ReplyMessage): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new Error(`bench: ${pending.what} failed in the child:\n${reply.error}`));
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const restarted = child === this.#killedForRestart;
    const expected = restarted || (this.#stopping && code === 0);
    const error = new Error(
      restarted
        ? `bench: ${this.label} was killed for a restart.`
        : expected
          ? `bench: ${this.label} was stopped.`
          : `bench: ${this.label} exited unexpectedly (code ${code}, signal ${signal}); its stderr is above.`,
    );
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(new Error(`${error.message} While waiting for: ${pending.what}.`));
    }
    if (restarted) return;
    this.#exitError = error;
    if (!expected) this.#rejectCrashed(error);
  }
}
