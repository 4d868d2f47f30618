/// <reference types="node" />
/**
 * A TCP load balancer for tests, in front of several nodes as one in production would be: each
 * incoming connection goes to the next backend in turn, and a backend that refuses the
 * connection (a node that is down) is skipped for the one after it. Bytes are passed through
 * untouched, so HTTP, WebSocket upgrades and cookies work as they do without it; when either
 * side of a pair drops, the other is dropped too, as a node's crash looks to its clients.
 */
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface TcpBalancer {
  /** Where clients connect: 127.0.0.1:`port`. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /**
   * The backend ports connections go to, in turn. Assign to change the pool: a node joins or
   * leaves it for new connections; pairs already made stay as they are.
   */
  backends: readonly number[];
  /** Connections passed through to `port` and still open, for asserting where clients went. */
  openTo(port: number): number;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/**
 * Starts a balancer on 127.0.0.1 (a free port) in front of `backends` (ports on 127.0.0.1).
 * A client whose connection every backend refuses is dropped.
 *
 * @example
 * const balancer = await startTcpBalancer([nodeA.port, nodeB.port]);
 * const client = createClient({ url: `${balancer.url}/ws/chat/lobby/` });
 */
export async function startTcpBalancer(backends: readonly number[]): Promise<TcpBalancer> {
  let next = 0;
  const pairs = new Set<{ readonly port: number; readonly sockets: readonly Socket[] }>();
  const clients = new Set<Socket>();

  /** Connects to the first backend, from `next` on, that accepts; null if none does. */
  async function connectBackend(pool: readonly number[]): Promise<[number, Socket] | null> {
    const start = next;
    next = (next + 1) % Math.max(pool.length, 1);
    for (let tried = 0; tried < pool.length; tried++) {
      const port = pool[(start + tried) % pool.length] as number;
      const backend = createConnection({ host: '127.0.0.1', port });
      try {
        await once(backend, 'connect');
        return [port, backend];
      } catch {
        // Refused (or reset): the node is down; the next one may take it.
        backend.destroy();
      }
    }
    return null;
  }

  async function relay(client: Socket): Promise<void> {
    clients.add(client);
    // Until the backend answers, what the client sends waits in its socket (paused).
    client.on('error', () => client.destroy());
    client.on('close', () => clients.delete(client));
    const connected = await connectBackend(balancer.backends);
    if (connected === null || client.destroyed) {
      connected?.[1].destroy();
      client.destroy();
      return;
    }
    const [port, backend] = connected;
    const pair = { port, sockets: [client, backend] };
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      backend.destroy();
    };
    for (const socket of pair.sockets) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(backend);
    backend.pipe(client);
  }

  const server = createServer((client) => void relay(client));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const balancer: TcpBalancer = {
    port,
    url: `http://127.0.0.1:${port}`,
    backends: [...backends],
    openTo: (backend) => [...pairs].filter((pair) => pair.port === backend).length,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const client of clients) client.destroy();
      for (const pair of pairs) for (const socket of pair.sockets) socket.destroy();
      await closed;
    },
  };
  return balancer;
}
