import type { Application, WebSocketScope } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { ApplicationCommunicator } from './application-communicator.js';
import { testScopeBase } from './test-scope.js';

function websocketScope(): WebSocketScope {
  const { secure, ...base } = testScopeBase('/');
  return { type: 'websocket', ...base, scheme: secure ? 'wss' : 'ws', subprotocols: [] };
}

describe('ApplicationCommunicator', () => {
  it('hands input to receive() and output back in order, even after the app returned', async () => {
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      await receive();
      await send({ type: 'websocket.accept' });
      await send({ type: 'websocket.close', code: 1000 });
    };
    const communicator = new ApplicationCommunicator(app, websocketScope());
    await communicator.sendInput({ type: 'websocket.connect' });
    await communicator.wait();
    expect(await communicator.receiveOutput()).toEqual({ type: 'websocket.accept' });
    expect(await communicator.receiveOutput()).toEqual({ type: 'websocket.close', code: 1000 });
    await expect(communicator.receiveOutput()).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/returned while the test was waiting for the application/),
    });
  });

  it('wait() rethrows the crash, including a synchronous throw', async () => {
    const app = ((): Promise<void> => {
      throw new Error('thrown before any await');
    }) as Application<WebSocketScope>;
    const communicator = new ApplicationCommunicator(app, websocketScope());
    await expect(communicator.wait()).rejects.toThrow('thrown before any await');
  });

  it('refuses sends from an application it has torn down', async () => {
    let lateSend: Promise<void> | undefined;
    const app: Application<WebSocketScope> = async (_scope, receive, send) => {
      try {
        await receive();
      } finally {
        lateSend = send({ type: 'websocket.close' });
      }
    };
    const communicator = new ApplicationCommunicator(app, websocketScope());
    await expect(communicator.wait(10)).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(lateSend).rejects.toThrow(/torn down/);
  });
});
