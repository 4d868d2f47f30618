import { afterEach, describe, expect, it } from 'vitest';
import type { Application, InboundEvent } from '@wsgate/shared';
import { deferred, Harness, within } from './adapter-fixtures.js';
import { clientClose, clientFrame, handshakeRequest, Opcode } from './raw-frames.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** Accepts and waits for the client to leave. */
const acceptAndWait: Application = async (_scope, receive, send) => {
  await receive();
  await send({ type: 'websocket.accept' });
  while ((await receive()).type !== 'websocket.disconnect');
};

describe('handshake requests', () => {
  it('answers 400 for a malformed percent-escape without calling the application', async () => {
    let called = false;
    const server = await harness.start(() => {
      called = true;
      return Promise.resolve();
    });
    const raw = await harness.raw(server);
    raw.write(handshakeRequest('/bad%E0%A4/'));
    expect(await raw.responseHead()).toMatch(/^HTTP\/1.1 400 /);
    await within(raw.closed, 'the socket to close');
    expect(called).toBe(false);
  });

  it('answers 400 for an upgrade that is not a WebSocket handshake', async () => {
    const server = await harness.start(async () => {});
    const raw = await harness.raw(server);
    raw.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
    expect(await raw.responseHead()).toMatch(/^HTTP\/1.1 400 /);
  });

  it('delivers a frame pipelined with the handshake exactly once, after slow middleware', async () => {
    const connected = deferred();
    const release = deferred();
    const finished = deferred();
    const received: InboundEvent[] = [];
    const server = await harness.start(async (_scope, receive, send) => {
      await receive();
      connected.resolve();
      await release.promise;
      await send({ type: 'websocket.accept' });
      for (;;) {
        const event = await receive();
        received.push(event);
        if (event.type === 'websocket.disconnect') break;
      }
      finished.resolve();
    });
    const raw = await harness.raw(server);
    // The request and the first frame in one TCP write: the frame lands in `head`.
    raw.write(
      Buffer.concat([Buffer.from(handshakeRequest('/')), clientFrame(Opcode.text, 'first')]),
    );
    await within(connected.promise, 'the application to start');
    // A second frame arrives while the application is still deciding.
    raw.write(clientFrame(Opcode.text, 'second'));
    release.resolve();
    expect(await raw.responseHead()).toMatch(/^HTTP\/1.1 101 /);
    raw.write(clientClose(1000));
    await within(finished.promise, 'the application to see the disconnect');
    expect(received).toEqual([
      { type: 'websocket.receive', text: 'first' },
      { type: 'websocket.receive', text: 'second' },
      { type: 'websocket.disconnect', code: 1000 },
    ]);
  });

  it('negotiates no permessage-deflate by default', async () => {
    const server = await harness.start(acceptAndWait);
    const client = harness.client(server, '/', [], { perMessageDeflate: true });
    const opened = await client.handshake();
    expect(client.ws.extensions).toBe('');
    expect(
      opened.kind === 'open' && opened.upgrade.headers['sec-websocket-extensions'],
    ).toBeUndefined();
  });
});
