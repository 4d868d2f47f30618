import { WsgateError, login, logout, route } from '@wsgate/server';
import type {
  Application,
  ChannelLayer,
  HttpScope,
  LoginThrottle,
  Route,
  Semaphore,
  Send,
  WithSession,
  WithUser,
} from '@wsgate/server';
import { readForm } from './form-body.js';
import { replyToForm } from './form-reply.js';
import type { FormOutcome } from './form-reply.js';
import { announceSignOut } from './sign-out-everywhere.js';
import type { DemoUser, SignUpRefusal, UserStore } from './user-store.js';

/** The scope HTTP views get behind `authMiddlewareStack`. */
export type ViewScope = HttpScope & WithSession & WithUser<DemoUser>;

export interface AuthViewsOptions {
  readonly users: UserStore;
  /** Where "log out everywhere" reaches the user's open sockets. */
  readonly channelLayer: ChannelLayer;
  /** Shared with socketAuthMiddleware: failures count the same over HTTP and in the socket. */
  readonly loginThrottle: LoginThrottle;
  /** Bounds concurrent scrypt work, shared with socketAuthMiddleware. */
  readonly hashing: Semaphore;
}

type View = (scope: ViewScope, form: ReadonlyMap<string, string>) => Promise<FormOutcome>;

const failure = (status: number, code: string, message: string): FormOutcome => ({
  ok: false,
  status,
  code,
  message,
});

const signUpRefusals: Record<SignUpRefusal, FormOutcome> = {
  username: failure(400, 'username', 'pick a username of 2 to 24 letters, digits, _ or -'),
  password: failure(400, 'password', 'pick a password of at least 8 characters'),
  taken: failure(409, 'taken', 'that username is taken; pick another, or sign in'),
};

const busy = failure(503, 'busy', 'the server is busy checking other passwords; try again');

/** Redis (or another shared backend) is away: a retry in a few seconds may work. */
const unavailable = {
  ...failure(503, 'unavailable', 'the server cannot reach its session store; try again shortly'),
  retryAfterMs: 5_000,
};

/** What wsgate's Redis pieces throw while Redis is unreachable. */
const outageCodes: ReadonlySet<string> = new Set([
  'STORE_UNAVAILABLE',
  'LAYER_UNAVAILABLE',
  'SESSION_STORE_UNAVAILABLE',
]);

function header(scope: HttpScope, name: string): string | undefined {
  return scope.headers.find(([key]) => key === name)?.[1];
}

/**
 * Forms must come from our own pages: the Origin (which browsers send with every POST) must
 * be this host. SameSite cookies already stop cross-site posts from riding on a session; this
 * also stops a foreign page from signing a visitor into the attacker's account.
 */
function sameOrigin(scope: HttpScope): boolean {
  const origin = header(scope, 'origin');
  const host = header(scope, 'host');
  if (origin === undefined || host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

function publicUser(user: DemoUser | null): { id: string; username: string } | null {
  return user && { id: user.id, username: user.username };
}

/** Runs scrypt work in a slot of the shared limit; a full queue is `busy`, not a crash. */
async function hashingSlot(hashing: Semaphore, work: () => Promise<FormOutcome>) {
  try {
    return await hashing.run(work);
  } catch (error) {
    if (error instanceof WsgateError && error.code === 'OVERLOADED') return busy;
    throw error;
  }
}

/** A POST-only view: method and Origin checked, the form read, the outcome answered. */
function formView(view: View): Application<ViewScope> {
  return async (scope, receive, send: Send) => {
    if (scope.method !== 'POST') {
      const outcome = failure(405, 'method', 'this address takes a POSTed form');
      return replyToForm(scope, send, outcome, undefined);
    }
    if (!sameOrigin(scope)) {
      const outcome = failure(403, 'origin', 'forms are accepted from this site’s pages only');
      return replyToForm(scope, send, outcome, undefined);
    }
    const form = await readForm(scope, receive);
    if (!form.ok)
      return replyToForm(scope, send, failure(form.status, 'form', form.message), undefined);
    // Decided before the response starts, so the session middleware sets the cookie with it.
    const outcome = await view(scope, form.fields).catch((error: unknown) => {
      if (error instanceof WsgateError && outageCodes.has(error.code)) return unavailable;
      throw error;
    });
    await replyToForm(scope, send, outcome, form.fields.get('room'));
  };
}

/**
 * The HTTP side of signing in: forms that create an account, sign in, sign out, and sign out
 * everywhere, each setting or clearing the session cookie on its response; and `GET /api/me`,
 * who the cookie says you are. HTML forms get a 303 back to the page; scripts that send
 * `Accept: application/json` get JSON.
 *
 * @example
 * urlRouter([...authViews({ users, channelLayer, loginThrottle, hashing }), route(/^/, pages)]);
 */
export function authViews(options: AuthViewsOptions): Route<ViewScope>[] {
  const { users, channelLayer, loginThrottle, hashing } = options;

  const signUp: View = async (scope, form) => {
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    return hashingSlot(hashing, async () => {
      const created = await users.create(username, password);
      if (typeof created === 'string') return signUpRefusals[created];
      await login(scope, created);
      return { ok: true, user: publicUser(created) };
    });
  };

  const signIn: View = async (scope, form) => {
    const username = (form.get('username') ?? '').trim();
    const account = username.toLowerCase() || null;
    const address = scope.client?.[0] ?? null;
    return hashingSlot(hashing, async () => {
      const decision = await loginThrottle.check(account, address);
      if (!decision.allowed) {
        const seconds = Math.ceil(decision.retryAfterMs / 1000);
        const message = `too many failed sign-ins: try again in ${seconds} s`;
        return { ...failure(429, 'throttled', message), retryAfterMs: decision.retryAfterMs };
      }
      const user = await users.authenticate(username, form.get('password') ?? '');
      if (user === null) {
        await loginThrottle.recordFailure(account, address);
        return failure(401, 'credentials', 'wrong username or password');
      }
      await loginThrottle.recordSuccess(account, address);
      await login(scope, user);
      return { ok: true, user: publicUser(user) };
    });
  };

  const signOut: View = async (scope) => {
    await logout(scope);
    return { ok: true, user: null };
  };

  const signOutEverywhere: View = async (scope) => {
    const { user } = scope;
    if (!user.isAuthenticated) return failure(401, 'signed-out', 'you are not signed in');
    const updated = users.endAllSessions(user.id);
    await logout(scope);
    if (updated) await announceSignOut(channelLayer, updated);
    return { ok: true, user: null };
  };

  const me: Application<ViewScope> = async (scope, _receive, send) => {
    const user = scope.user.isAuthenticated ? publicUser(scope.user) : null;
    await send({
      type: 'http.response.start',
      status: 200,
      headers: [
        ['content-type', 'application/json'],
        ['cache-control', 'no-store'],
      ],
    });
    await send({ type: 'http.response.body', body: Buffer.from(JSON.stringify({ user })) });
  };

  return [
    route('/auth/signup', formView(signUp)),
    route('/auth/login', formView(signIn)),
    route('/auth/logout', formView(signOut)),
    route('/auth/logout-everywhere', formView(signOutEverywhere)),
    route('/api/me', me),
  ];
}
