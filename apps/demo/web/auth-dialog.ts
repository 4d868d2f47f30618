import { byId } from './element.js';

export type AuthTab = 'signin' | 'signup';

/** What the HTTP forms' `?error=<code>` redirects mean (see the server's form-reply.ts). */
const formErrors: Record<string, { tab: AuthTab; message: string }> = {
  credentials: { tab: 'signin', message: 'Wrong username or password.' },
  throttled: { tab: 'signin', message: 'Too many failed sign-ins. Wait a minute, then try again.' },
  busy: { tab: 'signin', message: 'The server is busy checking passwords; try again in a moment.' },
  unavailable: {
    tab: 'signin',
    message: 'The server cannot reach its session store. Try again in a few seconds.',
  },
  taken: { tab: 'signup', message: 'That username is taken. Pick another, or sign in.' },
  username: { tab: 'signup', message: 'Pick a username of 2 to 24 letters, digits, _ or -.' },
  password: { tab: 'signup', message: 'Pick a password of at least 8 characters.' },
};

function field(fields: FormData, name: string): string {
  const value = fields.get(name);
  return typeof value === 'string' ? value : '';
}

/** Set before an HTTP form leaves the page, read after the page comes back signed in. */
export const httpSignInMark = 'wsgate-demo:signed-in-over-http';

export interface AuthDialogOptions {
  /** Signs in over the socket; rejects with a message to show. */
  signInOverSocket(username: string, password: string): Promise<void>;
  /** The room to come back to after an HTTP form's redirect. */
  room(): string;
}

/**
 * The sign-in dialog. "Sign in" goes either through the socket (`client.login`, no page load)
 * or through a plain HTML form (`POST /auth/login`, a 303 back), as the reader picks; "Create
 * account" is always a form (`POST /auth/signup`). Errors of either show in the dialog.
 *
 * @example
 * const dialog = new AuthDialog({ signInOverSocket, room: () => current });
 * dialog.open('signin');
 */
export class AuthDialog {
  readonly #dialog = byId<HTMLDialogElement>('auth-dialog');
  readonly #forms = {
    signin: byId<HTMLFormElement>('signin-form'),
    signup: byId<HTMLFormElement>('signup-form'),
  };
  readonly #options: AuthDialogOptions;

  constructor(options: AuthDialogOptions) {
    this.#options = options;
    for (const tab of this.#dialog.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
      tab.addEventListener('click', () => this.#select(tab.dataset.tab as AuthTab));
    }
    this.#forms.signin.addEventListener('submit', (event) => void this.#signIn(event));
    this.#forms.signup.addEventListener('submit', () => this.#leavingForForm(this.#forms.signup));
  }

  open(tab: AuthTab, error?: string): void {
    this.#select(tab);
    this.#error(this.#forms[tab], error ?? null);
    if (!this.#dialog.open) this.#dialog.showModal();
    this.#forms[tab].querySelector<HTMLInputElement>('input[name=username]')?.focus();
  }

  close(): void {
    this.#dialog.close();
  }

  /** Opens the dialog with the error an HTTP form redirected back with, if any. */
  showFormError(code: string | null): void {
    if (code === null) return;
    const known = formErrors[code] ?? {
      tab: 'signin',
      message: 'That did not work; please try again.',
    };
    // The error came back from the form, so the form is what the reader chose.
    const http = this.#forms.signin.querySelector<HTMLInputElement>('input[name=via][value=http]');
    if (http) http.checked = true;
    this.open(known.tab, known.message);
  }

  #select(tab: AuthTab): void {
    for (const [name, form] of Object.entries(this.#forms)) form.hidden = name !== tab;
    for (const button of this.#dialog.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
      button.setAttribute('aria-selected', String(button.dataset.tab === tab));
    }
  }

  async #signIn(event: SubmitEvent): Promise<void> {
    const form = this.#forms.signin;
    const fields = new FormData(form);
    if (fields.get('via') === 'http') return this.#leavingForForm(form);
    event.preventDefault();
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (submit) submit.disabled = true;
    this.#error(form, null);
    try {
      await this.#options.signInOverSocket(field(fields, 'username'), field(fields, 'password'));
      form.reset();
      this.close();
    } catch (error) {
      this.#error(form, error instanceof Error ? error.message : String(error));
    } finally {
      if (submit) submit.disabled = false;
    }
  }

  /** The form is about to post and the page to reload: remember how, and where to return. */
  #leavingForForm(form: HTMLFormElement): void {
    form.querySelector<HTMLInputElement>('input[name=room]')!.value = this.#options.room();
    sessionStorage.setItem(httpSignInMark, '1');
  }

  #error(form: HTMLFormElement, message: string | null): void {
    const slot = form.querySelector<HTMLElement>('.form-error');
    if (!slot) return;
    slot.textContent = message ?? '';
    slot.hidden = message === null;
  }
}
