/// <reference types="node" />
/**
 * The test balancer (test-support/tcp-balancer.ts) that the multi-node tests put in front of
 * the demo's nodes: turns, skipping a node that is down, bytes through untouched both ways,
 * and a node's crash reaching its clients as a dropped connection.
 */
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpBalancer } from '../../../test-support/tcp-balancer.js';
import type { TcpBalancer } from '../../../test-support/tcp-balancer.js';

const servers: Server[] = [];
/** Both ends of every connection made, dropped after each test. */
const sockets: Socket[] = [];
let balancer: TcpBalancer | undefined;

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await balancer?.close();
  balancer = undefined;
  for (const server of servers.splice(0)) server.close();
});

/** Rejects with what was awaited when `promise` takes longer than 5 s. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 5000);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A backend that greets each connection with its name, then echoes what it gets. */
async function namedBackend(name: string): Promise<{ port: number; peers: Socket[] }> {
  const peers: Socket[] = [];
  const server = createServer((socket) => {
    peers.push(socket);
    sockets.push(socket);
    socket.on('error', () => socket.destroy());
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, peers };
}

/** A port nothing listens on: a node that is down. */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Connects through the balancer; resolves with the socket and the first line it got. */
async function connect(to: TcpBalancer): Promise<{ socket: Socket; greeting: string }> {
  const socket = createConnection({ host: '127.0.0.1', port: to.port });
  sockets.push(socket);
  socket.setEncoding('utf8');
  const [greeting] = (await within(once(socket, 'data'), 'a greeting')) as [string];
  return { socket, greeting: greeting.trim() };
}

describe('the TCP balancer', () => {
  it('sends each connection to the next backend in turn', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    balancer = await startTcpBalancer([a.port, b.port]);
    const greetings: string[] = [];
    for (let i = 0; i < 4; i++) greetings.push((await connect(balancer)).greeting);
    expect(greetings).toEqual(['a', 'b', 'a', 'b']);
    expect([balancer.openTo(a.port), balancer.openTo(b.port)]).toEqual([2, 2]);
  });

  it('skips a backend that refuses the connection', async () => {
    const down = await deadPort();
    const b = await namedBackend('b');
    balancer = await startTcpBalancer([down, b.port]);
    const greetings: string[] = [];
    for (let i = 0; i < 3; i++) greetings.push((await connect(balancer)).greeting);
    expect(greetings).toEqual(['b', 'b', 'b']);
  });

  it('passes bytes both ways, and drops the client when its backend goes', async () => {
    const a = await namedBackend('a');
    balancer = await startTcpBalancer([a.port]);
    const { socket } = await connect(balancer);
    socket.write('ping');
    const [echo] = (await within(once(socket, 'data'), 'the echo')) as [string];
    expect(echo).toBe('ping');
    const closed = once(socket, 'close');
    a.peers[0]?.destroy();
    await within(closed, 'the client to be dropped with its backend');
    expect(balancer.openTo(a.port)).toBe(0);
  });

  it('drops a client that no backend accepts, and takes a changed pool for new ones', async () => {
    balancer = await startTcpBalancer([await deadPort()]);
    const refused = createConnection({ host: '127.0.0.1', port: balancer.port });
    sockets.push(refused);
    refused.on('error', () => undefined);
    await within(once(refused, 'close'), 'the client to be dropped');

    const b = await namedBackend('b');
    balancer.backends = [b.port];
    expect((await connect(balancer)).greeting).toBe('b');
  });
});
