// The chat page: one room's socket at a time, the account, and what the connection is doing.
import '@fontsource-variable/inter';
import './styles.css';
import type { WireUser, WsgateClientError } from '@wsgate/client';
import { renderAccount } from './account-view.js';
import type { SignedInVia } from './account-view.js';
import { AuthDialog, httpSignInMark } from './auth-dialog.js';
import { ConnectionPill } from './connection-pill.js';
import { byId, h } from './element.js';
import { MessageList } from './message-list.js';
import { renderPresence } from './presence-panel.js';
import { openRoom } from './room-client.js';
import type { Connection, RoomHandlers, RoomSocket } from './room-client.js';
import { renderRooms, roomFromLocation, watchJoinRoom } from './rooms-nav.js';
import { watchSignIns } from './tab-sync.js';
import { toast } from './toasts.js';

const page = {
  room: roomFromLocation(),
  user: null as WireUser | null,
  via: 'cookie' as SignedInVia,
  connection: { state: 'connecting' } as Connection,
  signedOutReason: null as string | null,
  /** The server's answer to a guest's post, shown until the user signs in. */
  refusal: null as string | null,
  /** Until then, a sign-out the server reports is the one this tab asked for. */
  ownSignOutUntil: 0,
  members: [] as readonly string[],
  guests: 0,
};
/** An HTTP form just signed us in (and reloaded the page): say so once the socket agrees. */
let httpSignIn = sessionStorage.getItem(httpSignInMark) !== null;
sessionStorage.removeItem(httpSignInMark);

const messages = new MessageList();
const pill = new ConnectionPill(() => socket.client.connect());
const dialog = new AuthDialog({ signInOverSocket, room: () => page.room });
const composerNotice = byId('composer-notice');

/** The name the server's serializeUser sends along with the id. */
function username(): string | null {
  if (page.user === null) return null;
  const { username: name, id } = page.user;
  return typeof name === 'string' ? name : String(id);
}

function render(): void {
  const name = username();
  const actions = {
    signIn: (tab: 'signin' | 'signup') => dialog.open(tab),
    signOut,
    signOutEverywhere,
  };
  renderAccount({ username: name, via: page.via, signedOutReason: page.signedOutReason }, actions);
  const signedOut = page.signedOutReason !== null && page.connection.state === 'online';
  pill.show(signedOut ? { state: 'signed-out' } : page.connection);
  renderPresence(page.members, page.guests, name, page.connection.state === 'online');
  renderComposerNotice(name);
}

/** Above the composer: why posting is not possible now, or not yet. */
function renderComposerNotice(name: string | null): void {
  const reconnecting = page.connection.state === 'reconnecting';
  let text: string | null = null;
  if (reconnecting) text = 'Reconnecting: what you send now goes out once the connection is back.';
  else if (page.refusal !== null) text = page.refusal;
  else if (name === null) text = `You're reading #${page.room} as a guest.`;
  composerNotice.hidden = text === null;
  if (text === null) return;
  const kind = reconnecting ? 'offline' : page.refusal !== null ? 'refused' : 'guest';
  composerNotice.className = `composer-notice ${kind}`;
  const signIn = h('button', { type: 'button', class: 'link-button' }, 'Sign in to post');
  signIn.addEventListener('click', () => dialog.open('signin'));
  composerNotice.replaceChildren(h('span', {}, text), ...(kind === 'offline' ? [] : [signIn]));
}

const handlers: RoomHandlers = {
  connection(connection) {
    const back = page.connection.state === 'reconnecting' && connection.state === 'online';
    page.connection = connection;
    if (back) messages.notice('Reconnected');
    if (connection.state === 'reconnecting' && page.members.length + page.guests > 0) {
      messages.notice('Connection lost');
      page.members = [];
      page.guests = 0;
    }
    render();
  },
  user(user) {
    page.user = user;
    if (user !== null) Object.assign(page, { signedOutReason: null, refusal: null });
    if (user !== null && httpSignIn) {
      httpSignIn = false;
      page.via = 'http';
      announceSignIn();
      toast(
        'success',
        `Signed in as ${username()}`,
        'With an HTTP form: its response set the cookie, and the socket opened with it.',
      );
    }
    render();
  },
  message(line) {
    messages.message(line, username());
  },
  presence({ members, guests, joined, left }) {
    page.members = members;
    page.guests = guests;
    if (joined !== undefined) messages.notice(`${joined} joined`);
    if (left !== undefined) messages.notice(`${left} left`);
    render();
  },
  signedOut(reason) {
    if (Date.now() < page.ownSignOutUntil) return;
    page.signedOutReason = reason;
    toast('warning', 'You were signed out', `${reason[0]?.toUpperCase()}${reason.slice(1)}.`);
    render();
  },
  error(error: WsgateClientError) {
    const message = error.message.replace(/^wsgate client: /, '');
    if (error.code === 'UNAUTHENTICATED') {
      page.refusal = `The server says: ${message}.`;
      return render();
    }
    toast('error', 'Something went wrong', message);
  },
};

let socket: RoomSocket = openRoom(page.room, handlers);

/** Opens `room`'s socket in place of the current one (another room, or the same anew). */
function reopen(room: string): void {
  socket.close();
  Object.assign(page, { room, members: [], guests: 0, connection: { state: 'connecting' } });
  socket = openRoom(room, handlers);
  render();
}

function enterRoom(room: string): void {
  if (room === page.room) return;
  renderRooms(room);
  messages.clear(room);
  reopen(room);
}

// Another tab signed in: a guest tab reconnects, and its handshake carries the new cookie.
const announceSignIn = watchSignIns(() => {
  if (page.user === null) reopen(page.room);
});

async function signInOverSocket(name: string, password: string): Promise<void> {
  try {
    await socket.client.login({ username: name, password });
  } catch (error) {
    const { code, message } = error as WsgateClientError;
    if (code === 'INVALID_CREDENTIALS') throw new Error('Wrong username or password.');
    throw new Error(message.replace(/^wsgate client: /, ''));
  }
  page.via = 'socket';
  announceSignIn();
  render();
  toast(
    'success',
    `Signed in as ${username()}`,
    'Over the WebSocket: no page load. A ticket exchange set the cookie.',
  );
}

function signOut(): void {
  page.ownSignOutUntil = Date.now() + 3000;
  socket.client.logout().then(
    () => toast('info', 'Signed out', 'This socket logged out; your other tabs follow.'),
    (error: WsgateClientError) => toast('error', 'Could not sign out', error.message),
  );
}

function signOutEverywhere(): void {
  const name = username();
  page.ownSignOutUntil = Date.now() + 3000;
  fetch('/auth/logout-everywhere', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: '{}',
  })
    .then(async (response) => {
      if (!response.ok)
        throw new Error(((await response.json()) as { error: { message: string } }).error.message);
      toast(
        'success',
        'Signed out everywhere',
        `Every tab and browser of ${name} was signed out at once.`,
      );
    })
    .catch((error: Error) => toast('error', 'Could not sign out everywhere', error.message));
}

byId<HTMLFormElement>('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>('message');
  const text = input.value.trim();
  if (text === '') return;
  // Guests may try: the server refuses with an error frame, which the page shows.
  if (socket.client.sendJson({ type: 'say', text }) !== 'dropped') input.value = '';
});
window.addEventListener('hashchange', () => enterRoom(roomFromLocation()));
watchJoinRoom();
renderRooms(page.room);
messages.clear(page.room);
render();

const formError = new URLSearchParams(location.search).get('error');
if (formError !== null) {
  httpSignIn = false;
  history.replaceState(null, '', `/${location.hash}`);
  dialog.showFormError(formError);
}
