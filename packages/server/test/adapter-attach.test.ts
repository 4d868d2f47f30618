import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application } from '@wsgate/shared';
import { attach } from '../src/adapter/attach.js';
import { serve } from '../src/adapter/serve.js';
import { WsgateError } from '../src/errors.js';
import { httpRequest, RecordingLogger, TestClient, within } from './adapter-fixtures.js';

const servers: Server[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await within(new Promise((resolve) => server.close(resolve)), 'the http server to close');
  }
});

const wsEcho: Application = async (scope, receive, send) => {
  if (scope.type === 'http') {
    await send({ type: 'http.response.start', status: 200 });
    await send({ type: 'http.response.body', body: new TextEncoder().encode('from wsgate') });
    return;
  }
  await receive();
  await send({ type: 'websocket.accept' });
  for (;;) {
    const event = await receive();
    if (event.type !== 'websocket.receive') return;
    await send({ type: 'websocket.send', text: event.text ?? '' });
  }
};

async function listening(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(url: string): TestClient {
  const opened = new TestClient(url);
  clients.push(opened);
  return opened;
}

describe('attach()', () => {
  it('takes only upgrades with { http: false }, and leaves the server open on close', async () => {
    const server = createServer((_req, res) => res.end('from the framework'));
    const attachment = attach(server, wsEcho, { http: false });
    const url = await listening(server);

    expect((await httpRequest(url)).body.toString()).toBe('from the framework');
    const socket = client(`${url}/ws/`);
    socket.ws.once('open', () => socket.ws.send('ping'));
    expect(await socket.message(0)).toBe('ping');

    const closing = attachment.close();
    expect(attachment.close()).toBe(closing);
    expect(await socket.close()).toEqual({ code: 1001, reason: 'server shutting down' });
    await within(closing, 'the attachment to close');
    expect(server.listening).toBe(true);
    expect(server.listenerCount('upgrade')).toBe(0);
    expect((await httpRequest(url)).body.toString()).toBe('from the framework');
  });

  it('takes HTTP requests too by default', async () => {
    const server = createServer();
    const attachment = attach(server, wsEcho);
    const url = await listening(server);
    expect((await httpRequest(url)).body.toString()).toBe('from wsgate');
    await attachment.close();
    expect(server.listenerCount('request')).toBe(0);
  });

  it('warns when the server already answers HTTP and { http: false } was not passed', async () => {
    const logger = new RecordingLogger();
    const attachment = attach(
      createServer((_req, res) => res.end()),
      wsEcho,
      { logger },
    );
    expect((await logger.waitFor('already has a request handler')).level).toBe('warn');
    await attachment.close();
  });

  it('refuses invalid options with a message naming them', () => {
    const server = createServer();
    expect(() => attach(server, wsEcho, { maxPayload: -1 })).toThrow(WsgateError);
    expect(() => attach(server, wsEcho, { maxPayload: -1 })).toThrow(/maxPayload/);
  });
});

describe('serve()', () => {
  it('binds 127.0.0.1 on a free port by default and reports its url', async () => {
    const running = await serve(wsEcho);
    try {
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      expect(running.port).toBeGreaterThan(0);
      expect((await httpRequest(running.url)).body.toString()).toBe('from wsgate');
    } finally {
      await running.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await serve(wsEcho);
    try {
      await expect(serve(wsEcho, { port: first.port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });

  it('rejects invalid options', async () => {
    await expect(serve(wsEcho, { sendHighWaterMark: 10, maxBufferedAmount: 5 })).rejects.toThrow(
      /maxBufferedAmount/,
    );
    await expect(serve(wsEcho, { requestTimeoutMs: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
});
