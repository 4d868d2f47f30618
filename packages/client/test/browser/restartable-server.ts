/// <reference types="node" />
/**
 * Runs a wsgate application on 127.0.0.1 the way `serve()` does, plus what browser tests of
 * reconnection need: a hard kill (every TCP connection dropped without a closing handshake, as
 * when the process dies, so the page sees 1006) and a restart on the same port, so the page's
 * client can come back without a reload.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Application, Attachment } from '@wsgate/server';
import { attach } from '@wsgate/server';

interface Listening {
  readonly server: Server;
  readonly attachment: Attachment;
}

/**
 * @example
 * const server = await RestartableServer.start(app);
 * await page.goto(`${server.url}/`);
 * await server.kill();
 * await server.restart();
 * await server.close();
 */
export class RestartableServer {
  #current: Listening;
  readonly #sockets = new Set<Socket>();
  #handshakes = 0;

  private constructor(
    private readonly app: Application,
    readonly port: number,
    current: Listening,
  ) {
    this.#current = current;
    this.#track(current.server);
  }

  /** Listens on a free port of 127.0.0.1. */
  static async start(app: Application): Promise<RestartableServer> {
    const current = await listen(app, 0);
    return new RestartableServer(app, (current.server.address() as AddressInfo).port, current);
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** WebSocket handshakes received so far, refused ones included: did the client retry? */
  get handshakes(): number {
    return this.#handshakes;
  }

  /** Drops every connection without a closing handshake and stops listening. */
  async kill(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await this.#stop();
  }

  /** Listens again on the same port with the same application. */
  async restart(): Promise<void> {
    this.#current = await listen(this.app, this.port);
    this.#track(this.#current.server);
  }

  /** Closes gracefully (sockets get 1001). Idempotent, also after kill(). */
  close(): Promise<void> {
    return this.#stop();
  }

  async #stop(): Promise<void> {
    const { server, attachment } = this.#current;
    await attachment.close();
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #track(server: Server): void {
    server.on('upgrade', () => (this.#handshakes += 1));
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }
}

async function listen(app: Application, port: number): Promise<Listening> {
  const server = createServer();
  const attachment = attach(server, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, attachment };
}
