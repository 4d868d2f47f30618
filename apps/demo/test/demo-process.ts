/// <reference types="node" />
/**
 * The demo as a real process (the build of build-demo.ts run with `node`), so that a kill is
 * a kill: sockets drop without a close, memory is gone, and only the SQLite file in `dataDir`
 * is left for the restart. Every wait is bounded and says what it waited for.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { serverScript } from './build-demo.js';

/** Starting shares two cores with other tests; generous, but bounded. */
const startTimeoutMs = 20_000;

/** For a hook that starts or stops a few demo processes, each bounded by startTimeoutMs. */
export const processHookTimeoutMs = 3 * startTimeoutMs;

export interface DemoProcessOptions {
  /** Where the demo keeps its database and generated secret. */
  readonly dataDir: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** More environment (e.g. REDIS_URL). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * @example
 * const demo = await DemoProcess.start({ dataDir });
 * await fetch(`${demo.url}/api/me`);
 * await demo.kill();
 * await demo.restart();
 * await demo.stop();
 */
export class DemoProcess {
  #child: ChildProcess | undefined;
  #url = '';
  /** Everything the process printed, for assertions and for failure messages. */
  output = '';

  private constructor(private readonly options: DemoProcessOptions) {}

  static async start(options: DemoProcessOptions): Promise<DemoProcess> {
    const demo = new DemoProcess(options);
    await demo.#spawn(options.port ?? 0);
    return demo;
  }

  /** `http://localhost:<port>`, as the demo printed it. */
  get url(): string {
    return this.#url;
  }

  get port(): number {
    return Number(new URL(this.#url).port);
  }

  /** SIGKILL: no graceful close, in-memory state gone. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  /** Starts again on the same port, with the same data folder. */
  async restart(): Promise<void> {
    await this.#spawn(this.port);
  }

  /** SIGTERM, as Ctrl-C would: the demo closes its server and database and exits 0. */
  async stop(): Promise<number | null> {
    return this.#end('SIGTERM');
  }

  async #end(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill(signal);
    const [code] = await exited;
    return code;
  }

  async #spawn(port: number): Promise<void> {
    const child = spawn(process.execPath, [serverScript], {
      env: {
        ...process.env,
        ...this.options.env,
        PORT: String(port),
        DATA_DIR: this.options.dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    // The URL this start prints, not the one an earlier start left in the output.
    const startedAt = this.output.length;
    const printed = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout.on('data', printed);
    child.stderr.on('data', printed);
    this.#url = await new Promise<string>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('exit', exited);
        child.stdout.off('data', listening);
      };
      const fail = (why: string) => {
        done();
        child.kill('SIGKILL');
        reject(new Error(`the demo did not start: ${why}\n${this.output}`));
      };
      const exited = (code: number | null) => fail(`it exited with ${String(code)}`);
      const listening = () => {
        const url = /open (http:\/\/\S+?)\/?$/m.exec(this.output.slice(startedAt))?.[1];
        if (url === undefined) return;
        done();
        resolve(url);
      };
      const timer = setTimeout(() => fail('it printed no URL in time'), startTimeoutMs);
      child.on('exit', exited);
      child.stdout.on('data', listening);
    });
  }
}
