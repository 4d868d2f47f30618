import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from './parse-message.js';

describe('parseClientMessage', () => {
  it.each([
    ['plain text', 'hello'],
    ['JSON without a reserved type', '{"type":"chat.message","text":"auth. session."}'],
    ['a JSON array mentioning auth.', '["auth.login"]'],
    ['broken JSON mentioning auth.', '{"type":"auth.login",'],
    ['a non-string type', '{"type":5,"x":"auth."}'],
  ])('passes %s to the application', (_, text) => {
    expect(parseClientMessage(text)).toEqual({ kind: 'app' });
  });

  it('accepts every client message type', () => {
    for (const text of [
      '{"type":"auth.login","id":"1","credentials":{"username":"a","password":"b"}}',
      '{"type":"auth.logout","id":2}',
      '{"type":"auth.whoami","id":"x"}',
      '{"type":"session.refresh","id":"r"}',
      '{"type":"session.ping","id":9}',
    ]) {
      expect(parseClientMessage(text).kind).toBe('control');
    }
  });

  it.each([
    ['a missing id', '{"type":"auth.whoami"}', 'BAD_MESSAGE', /`id` must be/],
    ['an empty id', '{"type":"auth.logout","id":""}', 'BAD_MESSAGE', /`id` must be/],
    ['a fractional id', '{"type":"auth.logout","id":1.5}', 'BAD_MESSAGE', /`id` must be/],
    ['missing credentials', '{"type":"auth.login","id":"1"}', 'BAD_MESSAGE', /credentials/],
    ['an unknown auth type', '{"type":"auth.hack","id":"1"}', 'UNKNOWN_TYPE', /known types/],
    ['a server-only type', '{"type":"auth.result","id":"1","ok":true}', 'UNKNOWN_TYPE', /client/],
    ['a prototype key as type', '{"type":"auth.__proto__","id":"1"}', 'UNKNOWN_TYPE', /known/],
  ])('rejects %s with a code and a reason', (_, text, code, message) => {
    const frame = parseClientMessage(text);
    expect(frame.kind).toBe('invalid');
    if (frame.kind !== 'invalid') return;
    expect(frame.error.code).toBe(code);
    expect(frame.error.message).toMatch(message);
  });

  it('echoes the id of an invalid request when it has one', () => {
    const frame = parseClientMessage('{"type":"auth.login","id":"abc"}');
    expect(frame).toMatchObject({ kind: 'invalid', id: 'abc' });
  });

  it('never throws on hostile input', () => {
    const hostile = [
      '',
      '{',
      'null',
      '"auth."',
      '{"type":"auth.login","id":{"a":1}}',
      '\u0000auth.',
    ];
    for (const text of hostile) expect(() => parseClientMessage(text)).not.toThrow();
  });
});

describe('parseServerMessage', () => {
  it('validates server messages', () => {
    expect(parseServerMessage('{"type":"auth.revoked","reason":"logout"}').kind).toBe('control');
    expect(
      parseServerMessage(
        '{"type":"auth.error","code":4429,"message":"slow down","retryAfterMs":500}',
      ).kind,
    ).toBe('control');
    expect(parseServerMessage('{"type":"error","code":"BAD_MESSAGE","message":"m"}').kind).toBe(
      'control',
    );
    expect(parseServerMessage('{"type":"session.updated","ticket":"t"}')).toMatchObject({
      kind: 'invalid',
      error: { code: 'BAD_MESSAGE', message: 'session.updated: `expiresAt` must be a number' },
    });
  });
});
