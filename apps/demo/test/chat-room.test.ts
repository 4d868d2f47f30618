/// <reference types="node" />
/**
 * The chat rooms through the demo's whole stack, in process over real sockets: who may post,
 * whose name a message carries, presence, refusals of bad frames and rooms, and "log out
 * everywhere" reaching every socket of the user at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InProcessDemo } from './in-process-demo.js';
import { startInProcess } from './in-process-demo.js';
import type { RoomClient } from './room-client.js';
import { joinRoom, postForm, sessionCookie } from './room-client.js';

let demo: InProcessDemo;
const open: RoomClient[] = [];

beforeEach(async () => {
  demo = await startInProcess();
});

afterEach(async () => {
  for (const room of open.splice(0)) room.close();
  await demo.close();
});

async function join(room: string, cookie?: string): Promise<RoomClient> {
  const joined = await joinRoom(demo.base, room, cookie === undefined ? {} : { cookie });
  open.push(joined);
  return joined;
}

/** Signs up over HTTP; the session cookie of that sign-up. */
async function signUp(username: string, password = `${username}-password`): Promise<string> {
  return sessionCookie(await postForm(demo.base, '/auth/signup', { username, password }));
}

async function signIn(username: string, password = `${username}-password`): Promise<string> {
  return sessionCookie(await postForm(demo.base, '/auth/login', { username, password }));
}

async function whoIs(cookie: string): Promise<unknown> {
  const response = await fetch(`${demo.base}/api/me`, { headers: { cookie } });
  return ((await response.json()) as { user: unknown }).user;
}

describe('posting', () => {
  it("carries the socket user's name, whatever name the client sends", async () => {
    const ada = await join('lobby', await signUp('ada'));
    ada.client.sendJson({ type: 'say', text: 'hi', from: 'mallory', name: 'mallory' });
    expect(await ada.next('message')).toMatchObject({ from: 'ada', text: 'hi' });
  });

  it('lets guests read but answers their posts with an error that says to sign in', async () => {
    const ada = await join('lobby', await signUp('ada'));
    const guest = await join('lobby');
    guest.client.sendJson({ type: 'say', text: 'let me in' });
    const refusal = await guest.next('client-error');
    expect(refusal).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refusal.message).toMatch(/sign in to post in #lobby/);
    ada.client.sendJson({ type: 'say', text: 'guests can read this' });
    expect(await guest.next('message')).toMatchObject({ from: 'ada' });
    // The refused post never reached the room: ada's first message is her own.
    expect(await ada.next('message')).toMatchObject({ text: 'guests can read this' });
  });

  it('keeps rooms apart', async () => {
    const cookie = await signUp('ada');
    const lobby = await join('lobby', cookie);
    const random = await join('random');
    lobby.client.sendJson({ type: 'say', text: 'lobby only' });
    await lobby.next('message');
    random.client.sendJson({ type: 'say', text: 'probe' });
    await random.next('client-error');
    expect(random.pending.filter((frame) => frame.type === 'message')).toEqual([]);
  });

  it('answers malformed frames with BAD_MESSAGE and stays open', async () => {
    const ada = await join('lobby', await signUp('ada'));
    for (const frame of [
      { type: 'shout', text: 'x' },
      { type: 'say', text: '   ' },
      { type: 'say', text: 'x'.repeat(2001) },
      { type: 'say' },
    ]) {
      ada.client.sendJson(frame);
      expect(await ada.next('client-error')).toMatchObject({ code: 'BAD_MESSAGE' });
    }
    ada.client.send('not json');
    expect(await ada.next('client-error')).toMatchObject({ code: 'BAD_MESSAGE' });
    ada.client.sendJson({ type: 'say', text: 'still here' });
    expect(await ada.next('message')).toMatchObject({ text: 'still here' });
  });

  it('refuses a room name it cannot use with 4400 and the reason', async () => {
    await expect(joinRoom(demo.base, 'Not%20A%20Room')).rejects.toThrow(/4400/);
  });
});

describe('presence', () => {
  it('lists members once per name, counts guests, and says who joined and left', async () => {
    const adaCookie = await signUp('ada');
    const graceCookie = await signUp('grace');
    const ada = await join('lobby', adaCookie);
    expect(await ada.next('presence')).toEqual({ type: 'presence', members: ['ada'], guests: 0 });

    const grace = await join('lobby', graceCookie);
    expect(await ada.next('presence', (frame) => frame.joined === 'grace')).toMatchObject({
      members: ['ada', 'grace'],
    });
    expect(
      await grace.next('presence', (frame) => (frame.members as string[]).length === 2),
    ).not.toHaveProperty('joined');

    const graceAgain = await join('lobby', graceCookie);
    const secondTab = await ada.next(
      'presence',
      (frame) => frame.guests === 0 && !('left' in frame),
    );
    expect(secondTab).toEqual({ type: 'presence', members: ['ada', 'grace'], guests: 0 });
    await join('lobby');
    expect(await ada.next('presence', (frame) => frame.guests === 1)).toMatchObject({
      members: ['ada', 'grace'],
    });

    grace.close();
    expect(await ada.next('presence', (frame) => frame.guests === 1)).not.toHaveProperty('left');
    graceAgain.close();
    expect(await ada.next('presence', (frame) => frame.left === 'grace')).toMatchObject({
      members: ['ada'],
    });
  });

  it('follows a sign-in inside the socket', async () => {
    await signUp('grace');
    const ada = await join('lobby', await signUp('ada'));
    const guest = await join('lobby');
    await ada.next('presence', (frame) => frame.guests === 1);
    await guest.client.login({ username: 'grace', password: 'grace-password' });
    expect(await ada.next('presence', (frame) => frame.joined === 'grace')).toMatchObject({
      members: ['ada', 'grace'],
      guests: 0,
    });
  });
});

describe('log out everywhere', () => {
  it('signs out every socket of the user at once, and no one else', async () => {
    const firstBrowser = await signUp('ada');
    const secondBrowser = await signIn('ada');
    const grace = await join('lobby', await signUp('grace'));
    const tab = await join('lobby', firstBrowser);
    const elsewhere = await join('random', secondBrowser);
    const inSocket = await join('help');
    await inSocket.client.login({ username: 'ada', password: 'ada-password' });

    const response = await postForm(demo.base, '/auth/logout-everywhere', {}, firstBrowser);
    expect(await response.json()).toEqual({ ok: true, user: null });
    // The session that asked is revoked; the others learn it from the user's group.
    await expect.poll(() => tab.client.user, { timeout: 5000 }).toBeNull();
    expect(await elsewhere.next('signed-out')).toMatchObject({
      reason: 'you signed out everywhere',
    });
    expect(await inSocket.next('signed-out')).toMatchObject({
      reason: 'you signed out everywhere',
    });
    // The frame is the application's; asking the server brings the client's user along.
    expect(await elsewhere.client.whoami()).toBeNull();
    expect(await inSocket.client.whoami()).toBeNull();
    expect([elsewhere.client.user, inSocket.client.user]).toEqual([null, null]);

    // On the server too: ada's sockets can no longer post, and her cookies open nothing.
    elsewhere.client.sendJson({ type: 'say', text: 'still ada?' });
    expect(await elsewhere.next('client-error')).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await whoIs(firstBrowser)).toBeNull();
    expect(await whoIs(secondBrowser)).toBeNull();
    // Grace is untouched.
    grace.client.sendJson({ type: 'say', text: 'still grace' });
    expect(await grace.next('message')).toMatchObject({ from: 'grace' });
  });

  it('does not end a session started after it', async () => {
    const before = await signUp('ada');
    await postForm(demo.base, '/auth/logout-everywhere', {}, before);
    const after = await signIn('ada');
    const socket = await join('lobby', after);
    expect(socket.client.user).toMatchObject({ username: 'ada' });
    expect(await whoIs(after)).toMatchObject({ username: 'ada' });
  });

  it('needs a signed-in session', async () => {
    const response = await postForm(demo.base, '/auth/logout-everywhere', {});
    expect(response.status).toBe(401);
  });
});
