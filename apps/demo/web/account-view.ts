import { avatar } from './avatar.js';
import { byId, h } from './element.js';

/** How the page's user got signed in, as far as this page knows. */
export type SignedInVia = 'socket' | 'http' | 'cookie';

export interface AccountState {
  readonly username: string | null;
  readonly via: SignedInVia;
  /** Why the session ended, while the user has not signed in again. */
  readonly signedOutReason: string | null;
}

export interface AccountActions {
  readonly signIn: (tab: 'signin' | 'signup') => void;
  readonly signOut: () => void;
  readonly signOutEverywhere: () => void;
}

const viaText: Record<SignedInVia, string> = {
  socket: 'Signed in over the WebSocket; a ticket exchange set the HttpOnly cookie.',
  http: 'Signed in with an HTTP form; its response set the HttpOnly cookie.',
  cookie: 'Signed in by your session cookie, which HTTP and the WebSocket both read.',
};

function button(
  label: string,
  className: string,
  id: string,
  onClick: () => void,
): HTMLButtonElement {
  const element = h('button', { type: 'button', class: `button ${className}`, id }, label);
  element.addEventListener('click', onClick);
  return element;
}

/**
 * The header's account corner and the session card: who you are and how you signed in, or
 * what a guest can do; sign-out buttons for both ways of ending sessions.
 *
 * @example
 * renderAccount({ username: 'ada', via: 'socket', signedOutReason: null }, actions);
 */
export function renderAccount(state: AccountState, actions: AccountActions): void {
  const { username } = state;
  document.body.dataset.user = username ?? '';
  byId('account').replaceChildren(
    username === null
      ? button('Sign in', 'ghost', 'header-signin', () => actions.signIn('signin'))
      : h('span', { class: 'account-chip' }, avatar(username, 'small'), h('b', {}, username)),
  );
  const card = byId('session-card');
  if (username === null) {
    card.replaceChildren(
      h('h2', { class: 'card-title' }, 'Reading as a guest'),
      ...(state.signedOutReason
        ? [
            h(
              'p',
              { class: 'callout warning', id: 'signed-out-reason' },
              `Signed out: ${state.signedOutReason}.`,
            ),
          ]
        : []),
      h(
        'p',
        { class: 'muted' },
        'Guests can read every room. Sign in to post, over the WebSocket or with a classic HTTP form.',
      ),
      h(
        'div',
        { class: 'actions' },
        button('Sign in', 'primary', 'card-signin', () => actions.signIn('signin')),
        button('Create account', 'ghost', 'card-signup', () => actions.signIn('signup')),
      ),
    );
    return;
  }
  card.replaceChildren(
    h('h2', { class: 'card-title' }, 'Your session'),
    h(
      'div',
      { class: 'session-user' },
      avatar(username),
      h('div', {}, h('b', {}, username), h('span', { class: 'muted' }, 'signed in')),
    ),
    h('p', { class: 'muted' }, viaText[state.via]),
    h(
      'div',
      { class: 'actions stacked' },
      button('Sign out', 'ghost', 'sign-out', actions.signOut),
      button('Sign out everywhere', 'danger', 'sign-out-everywhere', actions.signOutEverywhere),
    ),
    h(
      'p',
      { class: 'hint' },
      `“Everywhere” ends every session of ${username} at once: all tabs, all browsers.`,
    ),
  );
}
