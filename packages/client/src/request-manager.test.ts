import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestManager } from './request-manager.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('RequestManager', () => {
  it('resolves a request with its ok answer', async () => {
    const requests = new RequestManager(1_000, () => undefined);
    const { id, result } = requests.create('auth.whoami');
    expect(requests.settle({ type: 'auth.result', id, ok: true, user: null })).toBe(true);
    await expect(result).resolves.toMatchObject({ ok: true, user: null });
  });

  it('rejects on ok: false with the server’s code and message', async () => {
    const requests = new RequestManager(1_000, () => undefined);
    const { id, result } = requests.create('auth.login');
    const error = { code: 'INVALID_CREDENTIALS', message: 'nope' } as const;
    requests.settle({ type: 'auth.result', id, ok: false, error });
    await expect(result).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: 'wsgate client: auth.login: nope',
    });
  });

  it('rejects on an error frame that names the request', async () => {
    const requests = new RequestManager(1_000, () => undefined);
    const { id, result } = requests.create('session.refresh');
    expect(requests.reject({ id: 'other', code: 'BAD_MESSAGE', message: 'x' })).toBe(false);
    expect(requests.reject({ code: 'BAD_MESSAGE', message: 'no id' })).toBe(false);
    expect(requests.reject({ id, code: 'UNKNOWN_TYPE', message: 'unknown' })).toBe(true);
    await expect(result).rejects.toMatchObject({ code: 'UNKNOWN_TYPE' });
  });

  it('times out after timeoutMs, tells the owner, and ignores a late answer', async () => {
    const timedOut = vi.fn();
    const requests = new RequestManager(1_000, timedOut);
    const { id, result } = requests.create('auth.whoami');
    const settled = expect(result).rejects.toMatchObject({
      code: 'REQUEST_TIMEOUT',
      message: expect.stringContaining('while the client was not connected') as string,
    });
    vi.advanceTimersByTime(999);
    expect(timedOut).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    await settled;
    expect(timedOut).toHaveBeenCalledWith(id);
    expect(requests.settle({ type: 'auth.result', id, ok: true })).toBe(false);
  });

  it('says a timed-out request was sent, when it was', async () => {
    const requests = new RequestManager(10, () => undefined);
    const { id, result } = requests.create('auth.whoami');
    requests.markSent(id);
    vi.advanceTimersByTime(10);
    await expect(result).rejects.toThrow(/after it was sent/);
  });

  it('fails only the sent requests when the connection is lost', async () => {
    const requests = new RequestManager(1_000, () => undefined);
    const sent = requests.create('auth.login');
    const waiting = requests.create('auth.whoami');
    requests.markSent(sent.id);
    requests.connectionLost(1006, 'gone');
    await expect(sent.result).rejects.toMatchObject({ code: 'CONNECTION_LOST', closeCode: 1006 });
    requests.settle({ type: 'auth.result', id: waiting.id, ok: true, user: null });
    await expect(waiting.result).resolves.toMatchObject({ ok: true });
  });

  it('rejectAll fails everything and clears the timers', async () => {
    const requests = new RequestManager(1_000, () => undefined);
    const { result } = requests.create('auth.logout');
    const reason = new Error('closed');
    requests.rejectAll(reason as never);
    await expect(result).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hands out distinct ids', async () => {
    const requests = new RequestManager(1_000, () => undefined);
    const request = requests.create('auth.whoami');
    const ids = new Set([requests.nextId(), request.id, requests.nextId()]);
    expect(ids.size).toBe(3);
    requests.rejectAll(new Error('done') as never);
    await expect(request.result).rejects.toThrow('done');
  });
});
