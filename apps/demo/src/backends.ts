import {
  InMemoryChannelLayer,
  InMemoryLoginThrottleStore,
  RedisChannelLayer,
  RedisLoginThrottleStore,
  RedisRevocationStore,
  WsgateError,
} from '@wsgate/server';
import type { ChannelLayer, LoginThrottleStore, RevocationStore } from '@wsgate/server';
import type { DemoDatabase } from './database.js';
import type { BackendHealth, BackendsHealth } from './health-view.js';
import { SqliteRevocationStore } from './sqlite-revocation-store.js';

/** What several nodes have to share: the channel layer, revocations and sign-in failures. */
export interface Backends {
  /** Which mode the demo runs in, for its start-up line (a Redis password redacted). */
  readonly description: string;
  readonly channelLayer: ChannelLayer;
  readonly revocationStore: RevocationStore;
  readonly loginThrottleStore: LoginThrottleStore;
  /** Each backend's readiness, for GET /healthz (a plain function: it may be passed on). */
  readonly health: () => BackendsHealth;
  /** Closes the connections; after the server, before the database. */
  close(): Promise<void>;
}

/** The key prefix when REDIS_PREFIX is not set; one per application sharing a Redis. */
const defaultPrefix = 'wsgate-demo';

/**
 * REDIS_URL if it is a Redis URL, with its password replaced for printing. The value itself is
 * never echoed: it may hold the password.
 */
function checkRedisUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed === null || !/^rediss?:$/.test(parsed.protocol)) {
    const what = parsed === null ? 'not a URL' : `a ${parsed.protocol} URL`;
    throw new WsgateError(
      'INVALID_OPTION',
      `REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 ` +
        `(redis://:password@host:6379/0 with a password), but it is ${what}. ` +
        'Unset it to run as a single node.',
    );
  }
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

function redisBackends(url: string, prefix: string): Backends {
  const shown = checkRedisUrl(url);
  // Refuses a REDIS_PREFIX that cannot start keys, saying which characters it may use.
  const channelLayer = new RedisChannelLayer({ url, prefix });
  const revocationStore = new RedisRevocationStore({ url, prefix });
  const loginThrottleStore = new RedisLoginThrottleStore({ url, prefix });
  const kind = 'redis' as const;
  return {
    description:
      `runs as one of several nodes on Redis at ${shown} (keys under "${prefix}:"): chat, ` +
      'sign-outs and sign-in failure counts reach every node sharing it',
    channelLayer,
    revocationStore,
    loginThrottleStore,
    health: () => ({
      channelLayer: { kind, ...channelLayer.health() },
      revocationStore: { kind, ...revocationStore.health() },
      loginThrottleStore: { kind, ...loginThrottleStore.health() },
    }),
    async close() {
      await channelLayer.close();
      revocationStore.close();
      loginThrottleStore.close();
    },
  };
}

function embeddedBackends(db: DemoDatabase): Backends {
  const channelLayer = new InMemoryChannelLayer();
  const memory: BackendHealth = { kind: 'memory', status: 'ready', lastError: null };
  return {
    description:
      'runs as a single node (in-memory channel layer, sign-outs kept in SQLite, in-memory ' +
      'sign-in throttle); set REDIS_URL to run several',
    channelLayer,
    revocationStore: new SqliteRevocationStore(db),
    loginThrottleStore: new InMemoryLoginThrottleStore(),
    health: () => ({
      channelLayer: memory,
      revocationStore: { kind: 'sqlite', status: db.open ? 'ready' : 'closed', lastError: null },
      loginThrottleStore: memory,
    }),
    close: () => channelLayer.close(),
  };
}

/**
 * The backends the environment asks for. With `REDIS_URL`, everything several nodes must
 * share lives in Redis under one key prefix (`REDIS_PREFIX`, default `wsgate-demo`):
 * RedisChannelLayer, RedisRevocationStore, RedisLoginThrottleStore. Without it, the embedded
 * defaults of one process: an in-memory channel layer and throttle, revocations in the
 * demo's SQLite file.
 *
 * Redis need not be up when a node starts: each piece connects in the background, logs one
 * warning while Redis is unreachable and one line when it is back, and retries with backoff
 * (up to 2 s apart) for as long as the node runs. Meanwhile the page is served and sign-ups
 * work, but what needs Redis fails after its 5 s `commandTimeout` rather than hanging: chat
 * sockets close 1013 (the client retries), a request with a session cookie answers 503
 * SESSION_STORE_UNAVAILABLE (a cookie is never let through unchecked), a sign-in answers 500.
 * /healthz says 503 and which backend until Redis answers, so a load balancer routes around
 * the node.
 * A REDIS_URL that is not a redis:// or rediss:// URL is refused at once.
 *
 * @example
 * const backends = chooseBackends(process.env, db);
 * console.log(`wsgate demo ${backends.description}`);
 * demoApp({ ..., loginThrottleStore: backends.loginThrottleStore, health: backends.health });
 */
export function chooseBackends(env: NodeJS.ProcessEnv, db: DemoDatabase): Backends {
  return env.REDIS_URL
    ? redisBackends(env.REDIS_URL, env.REDIS_PREFIX || defaultPrefix)
    : embeddedBackends(db);
}
