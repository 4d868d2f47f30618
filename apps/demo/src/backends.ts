import { InMemoryChannelLayer } from '@wsgate/server';
import type { ChannelLayer, RevocationStore } from '@wsgate/server';
import type { DemoDatabase } from './database.js';
import { SqliteRevocationStore } from './sqlite-revocation-store.js';

/** What several nodes would have to share: the channel layer and the revocation store. */
export interface Backends {
  readonly channelLayer: ChannelLayer;
  readonly revocationStore: RevocationStore;
}

/**
 * The embedded defaults: one process, an in-memory channel layer, revocations in the demo's
 * SQLite file. The one place to choose shared ones from the environment (`REDIS_URL`) when
 * the demo runs on several nodes; until then a set `REDIS_URL` is reported and not used.
 *
 * @example
 * const { channelLayer, revocationStore } = chooseBackends(process.env, db, console.warn);
 */
export function chooseBackends(
  env: NodeJS.ProcessEnv,
  db: DemoDatabase,
  warn: (message: string) => void,
): Backends {
  if (env.REDIS_URL) {
    warn(
      'wsgate demo: REDIS_URL is set, but the demo runs as a single node: it keeps its in-memory channel layer and SQLite revocation store.',
    );
  }
  return {
    channelLayer: new InMemoryChannelLayer(),
    revocationStore: new SqliteRevocationStore(db),
  };
}
