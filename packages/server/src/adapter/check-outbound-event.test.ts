import { describe, expect, it } from 'vitest';
import { checkHttpEvent, checkWebSocketEvent } from './check-outbound-event.js';

const offered = ['v1', 'v2'];

describe('checkWebSocketEvent', () => {
  it.each([
    [{ type: 'websocket.accept' }, { type: 'websocket.accept', subprotocol: null, headers: [] }],
    [
      { type: 'websocket.accept', subprotocol: 'v2', headers: [['X-A', 'b']] },
      { type: 'websocket.accept', subprotocol: 'v2', headers: [['x-a', 'b']] },
    ],
    [
      { type: 'websocket.send', text: 'hi' },
      { type: 'websocket.send', data: 'hi' },
    ],
    [
      { type: 'websocket.send', bytes: new Uint8Array([1]) },
      { type: 'websocket.send', data: new Uint8Array([1]) },
    ],
    [{ type: 'websocket.close' }, { type: 'websocket.close', code: undefined, reason: '' }],
    [
      { type: 'websocket.close', code: 4401, reason: 'no' },
      { type: 'websocket.close', code: 4401, reason: 'no' },
    ],
  ])('accepts %j', (event, expected) => {
    expect(checkWebSocketEvent(event, offered)).toEqual(expected);
  });

  it.each([
    ['not an object', 'websocket.send', /must be an object/],
    ['an unknown type', { type: 'websocket.ping' }, /cannot send "websocket.ping"/],
    ['a subprotocol not offered', { type: 'websocket.accept', subprotocol: 'v3' }, /did not offer/],
    [
      'a handshake header',
      { type: 'websocket.accept', headers: [['sec-websocket-accept', 'x']] },
      /handshake owns it/,
    ],
    [
      'a header with CRLF',
      { type: 'websocket.accept', headers: [['x-a', 'b\r\nc: d']] },
      /control characters/,
    ],
    [
      'a header that is not a pair',
      { type: 'websocket.accept', headers: ['x-a'] },
      /invalid header name/,
    ],
    [
      'both text and bytes',
      { type: 'websocket.send', text: 'a', bytes: new Uint8Array() },
      /exactly one/,
    ],
    ['neither text nor bytes', { type: 'websocket.send' }, /exactly one/],
    ['bytes as an array', { type: 'websocket.send', bytes: [1, 2] }, /exactly one/],
    ['a reserved close code', { type: 'websocket.close', code: 1006 }, /not one a server may send/],
    [
      'a close code out of range',
      { type: 'websocket.close', code: 2000 },
      /not one a server may send/,
    ],
    [
      'a long close reason',
      { type: 'websocket.close', reason: 'é'.repeat(62) },
      /at most 123 bytes/,
    ],
  ])('refuses %s', (_what, event, message) => {
    expect(() => checkWebSocketEvent(event, offered)).toThrow(
      expect.objectContaining({
        code: 'PROTOCOL_VIOLATION',
        message: expect.stringMatching(message),
      }),
    );
  });
});

describe('checkHttpEvent', () => {
  it('fills in defaults', () => {
    expect(checkHttpEvent({ type: 'http.response.start', status: 204 })).toEqual({
      type: 'http.response.start',
      status: 204,
      headers: [],
    });
    expect(checkHttpEvent({ type: 'http.response.body' })).toEqual({
      type: 'http.response.body',
      body: new Uint8Array(0),
      moreBody: false,
    });
  });

  it.each([
    ['a status out of range', { type: 'http.response.start', status: 700 }, /200-599/],
    ['a status that is not an integer', { type: 'http.response.start', status: '200' }, /200-599/],
    ['a body that is a string', { type: 'http.response.body', body: 'x' }, /Uint8Array/],
    ['a websocket event', { type: 'websocket.accept' }, /cannot send "websocket.accept"/],
  ])('refuses %s', (_what, event, message) => {
    expect(() => checkHttpEvent(event)).toThrow(
      expect.objectContaining({
        code: 'PROTOCOL_VIOLATION',
        message: expect.stringMatching(message),
      }),
    );
  });
});
