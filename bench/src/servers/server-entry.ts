import { answerParent } from '../answer-parent.js';
import type { StopRequest } from '../ipc-messages.js';

/** A server a child process started: where it listens and how to close it. */
export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The server process's memory and CPU time so far, as `process` reports them. */
export interface ServerUsage {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Memory of C++ objects bound to JS ones, including Buffers and ArrayBuffers. */
  readonly externalBytes: number;
  /** User plus system CPU time, in microseconds. */
  readonly cpuMicros: number;
}

export type ServerRequest = { readonly type: 'usage'; readonly gc: boolean } | StopRequest;

/** Longer than serve()'s default drain (5 s), so a slow but working close is not a failure. */
const closeTimeoutMs = 8_000;

function usage(collectGarbage: boolean): ServerUsage {
  if (collectGarbage) {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) {
      throw new Error('bench: memory figures need the server started with --expose-gc.');
    }
    // Twice: the first pass can leave garbage that only finalizers released.
    gc();
    gc();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    cpuMicros: cpu.user + cpu.system,
  };
}

function withTimeout(work: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`bench: ${what} did not finish within ${closeTimeoutMs} ms.`)),
      closeTimeoutMs,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The body of every server child: start the server, tell the parent its port, answer usage
 * requests, close on stop. A new server row is a module that calls this with its own start.
 *
 * @example
 * await runServerEntry(async () => {
 *   const running = await serve(app, { port: 0, host: '127.0.0.1' });
 *   return { port: running.port, close: () => running.close() };
 * });
 */
export async function runServerEntry(start: () => Promise<RunningServer>): Promise<void> {
  const server = await start();
  answerParent(
    { kind: 'ready', port: server.port },
    (request) => {
      const { type } = request as ServerRequest;
      if (type !== 'usage') throw new Error(`bench: a server child cannot handle '${type}'.`);
      return Promise.resolve(usage((request as Extract<ServerRequest, { type: 'usage' }>).gc));
    },
    () => withTimeout(server.close(), 'closing the server'),
  );
}
