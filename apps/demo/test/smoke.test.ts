import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serve } from '@wsgate/server';
import { createDemoApp } from '../src/app.js';

let server: Awaited<ReturnType<typeof serve>>;
const origin = 'http://localhost:8000';

beforeEach(async () => {
  server = await serve(await createDemoApp());
});
afterEach(() => server.close());

async function join(room: string): Promise<{ socket: WebSocket; next: () => Promise<unknown> }> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws/chat/${room}/`, { origin });
  const inbox: unknown[] = [];
  const waiting: Array<(value: unknown) => void> = [];
  socket.on('message', (data: Buffer) => {
    const message: unknown = JSON.parse(data.toString());
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  await once(socket, 'open');
  const next = () =>
    inbox.length > 0
      ? Promise.resolve(inbox.shift())
      : new Promise((resolve) => waiting.push(resolve));
  return { socket, next };
}

describe('demo smoke test', () => {
  it('serves the page', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('wsgate');
  });

  it('relays a message to every member of a room, and only that room', async () => {
    const alice = await join('lobby');
    const bob = await join('lobby');
    const carol = await join('other');
    alice.socket.send(JSON.stringify({ name: 'alice', text: 'hello' }));
    expect(await bob.next()).toEqual({ type: 'message', name: 'alice', text: 'hello' });
    expect(await alice.next()).toEqual({ type: 'message', name: 'alice', text: 'hello' });
    carol.socket.send(JSON.stringify({ name: 'carol', text: 'elsewhere' }));
    expect(await carol.next()).toMatchObject({ name: 'carol' });
    // Bob's next message is the lobby's next one, not carol's.
    alice.socket.send(JSON.stringify({ name: 'alice', text: 'again' }));
    expect(await bob.next()).toMatchObject({ text: 'again' });
    for (const { socket } of [alice, bob, carol]) socket.close();
  });

  it('answers a bad message with an error and keeps the socket open', async () => {
    const alice = await join('lobby');
    alice.socket.send(JSON.stringify({ text: '' }));
    expect(await alice.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    alice.socket.send('not json');
    expect(await alice.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    alice.socket.send(JSON.stringify({ name: 'alice', text: 'still here' }));
    expect(await alice.next()).toMatchObject({ text: 'still here' });
    alice.socket.close();
  });

  it('refuses a page from another site before the upgrade', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws/chat/lobby/`, {
      origin: 'https://evil.example',
    });
    const [, response] = (await once(socket, 'unexpected-response')) as [
      unknown,
      { statusCode: number },
    ];
    expect(response.statusCode).toBe(403);
  });
});
