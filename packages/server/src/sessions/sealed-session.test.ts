import type { Session, WebSocketScope } from '@wsgate/shared';
import { describe, expect, it } from 'vitest';
import { WsgateError } from '../errors.js';
import { WebsocketCommunicator } from '../testing/websocket-communicator.js';
import { onSessionSaved, SealedSession } from './sealed-session.js';
import type { SessionSavedEvent } from './sealed-session.js';
import { unsealSession } from './seal-session.js';
import { sessionMiddlewareStack } from './session-middleware-stack.js';
import { resolveSessionOptions } from './session-options.js';

const settings = resolveSessionOptions({ password: 'p'.repeat(32) });

function session(kind: 'http' | 'websocket' = 'websocket'): SealedSession {
  return new SealedSession(null, { settings, kind, secure: false });
}

describe('SealedSession', () => {
  it('reads and writes synchronously and tracks changes', () => {
    const s = session();
    expect(s.isEmpty).toBe(true);
    expect(s.isModified).toBe(false);
    expect(s.get('a')).toBeUndefined();
    s.delete('missing');
    expect(s.isModified).toBe(false);
    s.set('a', { b: 1 });
    expect(s.has('a')).toBe(true);
    expect(s.get<{ b: number }>('a')?.b).toBe(1);
    expect(s.isEmpty).toBe(false);
    expect(s.isModified).toBe(true);
    s.delete('a');
    expect(s.has('a')).toBe(false);
  });

  it('keeps keys that would be special on a plain object', () => {
    const s = session();
    s.set('__proto__', 'just a key');
    s.set('constructor', 1);
    expect(s.get('__proto__')).toBe('just a key');
    expect(s.has('toString')).toBe(false);
  });

  it('flush() empties the session under a new id; cycleId() keeps the data', () => {
    const s = session();
    s.set('a', 1);
    const first = s.id;
    s.cycleId();
    expect(s.id).not.toBe(first);
    expect(s.get('a')).toBe(1);
    const second = s.id;
    s.flush();
    expect(s.id).not.toBe(second);
    expect(s.isEmpty).toBe(true);
  });

  it('seals its id and data, reusing the seal until the next change', async () => {
    const s = session();
    s.set('a', 1);
    const first = await s.seal();
    expect(await s.seal()).toBe(first);
    expect(await unsealSession(settings.codec, first.seal ?? '')).toEqual({
      id: s.id,
      expiresAt: first.expiresAt,
      data: { a: 1 },
    });
    s.set('a', 2);
    expect((await s.seal()).seal).not.toBe(first.seal);
    s.flush();
    expect(await s.seal()).toEqual({ seal: null, expiresAt: null, cookie: null });
  });
});

describe('session.save() in a socket', () => {
  function socket(run: (session: Session) => Promise<void>): WebsocketCommunicator {
    return new WebsocketCommunicator(
      sessionMiddlewareStack<WebSocketScope>(
        async (scope, receive, send) => {
          await receive();
          await run(scope.session);
          await send({ type: 'websocket.close' });
        },
        { password: 'p'.repeat(32) },
      ),
      '/ws/',
    );
  }

  it('tells the saved-session listeners the new seal, which opens to the session', async () => {
    const events: SessionSavedEvent[] = [];
    const communicator = socket(async (session) => {
      const stop = onSessionSaved(session, (event) => {
        events.push(event);
      });
      session.set('user', '42');
      await session.save();
      session.flush();
      await session.save();
      stop();
      await session.save();
    });
    await communicator.connect();
    await communicator.wait();
    expect(events).toHaveLength(2);
    const [saved, emptied] = events;
    const record = await unsealSession(saved?.codec ?? settings.codec, saved?.seal ?? '');
    expect(record).toEqual({
      id: saved?.sessionId,
      expiresAt: saved?.expiresAt,
      data: { user: '42' },
    });
    expect(emptied).toMatchObject({ seal: null, expiresAt: null });
    expect(emptied?.sessionId).not.toBe(saved?.sessionId);
  });

  it('refuses an oversized session there too', async () => {
    let error: unknown;
    const communicator = socket(async (session) => {
      session.set('blob', 'x'.repeat(5000));
      error = await session.save().catch((caught: unknown) => caught);
    });
    await communicator.connect();
    await communicator.wait();
    expect(error).toBeInstanceOf(WsgateError);
    expect(String(error)).toMatch(/over browsers' limit of 4096/);
  });

  it('onSessionSaved refuses a session that sessionMiddleware did not make', () => {
    const fake = {} as Session;
    expect(() => onSessionSaved(fake, () => undefined)).toThrow(
      /needs the session that sessionMiddleware/,
    );
  });
});
