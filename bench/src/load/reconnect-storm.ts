/**
 * A reconnect storm: thousands of @wsgate/client clients, each with a session cookie of its
 * own, are open on the auth server when it is killed and started again on its port. Every
 * client then reconnects by itself, with the client's default backoff (full jitter); the run
 * times how long the new server took to see all of them re-authenticated, and counts what
 * failed on the way. Attempts refused while no server listened are counted apart: that is the
 * backoff probing, not a failure.
 */
import { createClient } from '@wsgate/client';
import type { WsgateClient } from '@wsgate/client';
import WebSocket from 'ws';
import type { ClientOptions as WsClientOptions } from 'ws';
import { authFixture } from '../auth-fixture.js';
import type { Measurement } from '../measurement.js';
import { busyPercent, mergeFailures } from '../measurement.js';
import { wallClockMs } from '../wall-clock.js';
import { FailureTally } from './failure-tally.js';
import { runConcurrently } from './run-concurrently.js';
import { cookiePool, logInUsers } from './session-cookies.js';
import type { PooledCookie } from './session-cookies.js';

export type StormRequest =
  | {
      readonly type: 'storm-connect';
      readonly url: string;
      readonly clients: number;
      /** Clients connecting at once, so that start-up is not itself a storm. */
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  | {
      readonly type: 'storm-wait';
      /** Wall-clock times (wallClockMs) of the kill and of the new server's ready. */
      readonly killedAt: number;
      readonly listeningAt: number;
      readonly timeoutMs: number;
    }
  | { readonly type: 'storm-close'; readonly timeoutMs: number };

export interface StormConnectResult {
  readonly opened: number;
  readonly elapsedMs: number;
  readonly failures: Record<string, number>;
}

export interface StormCloseResult {
  readonly failures: Record<string, number>;
}

export interface StormWaitResult {
  readonly reopened: number;
  /** From the new server's ready to the last client re-authenticated. */
  readonly stormMs: number;
  /** Re-authentications in the busiest 100 ms after the server listened, per second. */
  readonly peakRate: number;
  /** Failed handshakes after the server listened (also in `failures`). */
  readonly failedHandshakes: number;
  /** Attempts that failed while no server listened (ECONNREFUSED): not failures. */
  readonly attemptsWhileDown: number;
  /** The load generator's CPU from the end of storm-connect to the end of the storm. */
  readonly loadCpuMicros: number;
  readonly loadElapsedMs: number;
  readonly failures: Record<string, number>;
}

/** Something that happened to one client after every client was open, and when. */
interface StormEvent {
  readonly at: number;
  readonly reason: string;
}

/** A client's connection attempt under way: when it started, and its error if it failed. */
interface Attempt {
  startedAt: number;
  error: string | undefined;
}

interface StormClient {
  readonly cookie: PooledCookie;
  readonly client: WsgateClient;
  readonly attempt: Attempt;
  openedAt: number | undefined;
  droppedAt: number | undefined;
  reopenedAt: number | undefined;
  /** The client stopped reconnecting (a close code it cannot fix, or its initial time-out). */
  gaveUp: boolean;
}

/**
 * `connecting` until every client was open once; `storm` after; `closing` while storm-close
 * runs, when closes are asked for and nothing is counted.
 */
let phase: 'connecting' | 'storm' | 'closing' = 'connecting';
let clients: StormClient[] = [];
/**
 * Finds a WebSocket's attempt by its Cookie header (every client has a cookie of its own): the
 * client creates its WebSockets itself, the first one before createClient returns.
 */
const attemptOf = new Map<string, Attempt>();
/** WebSockets not yet closed, so storm-close can wait until every one let go of its socket. */
const liveSockets = new Set<WebSocket>();
let onAllClosed: (() => void) | undefined;
let connectFailures = new FailureTally();
/**
 * Failed attempts (a close before open) by when they started, and other failures by when they
 * were seen; storm-wait sorts them out. An attempt is timed from its start because a busy load
 * generator may see a refusal late: one started before the server listened was refused.
 */
let failedAttempts: StormEvent[] = [];
let incidents: StormEvent[] = [];
/** Clients neither re-authenticated nor given up: storm-wait ends when none is left. */
let waiting = 0;
let onSettled: (() => void) | undefined;
let stormCpuBefore = process.cpuUsage();
let stormStartedAt = 0;

/** ws, timing each attempt and keeping its error for its client, and known until it closed. */
class StormWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[], options?: WsClientOptions) {
    const attempt = attemptOf.get(String(options?.headers?.cookie));
    if (attempt !== undefined) {
      attempt.startedAt = wallClockMs();
      attempt.error = undefined;
    }
    super(url, protocols, options);
    this.on('error', (error: NodeJS.ErrnoException) => {
      if (attempt !== undefined) attempt.error = error.code ?? error.message;
    });
    liveSockets.add(this);
    this.once('close', () => {
      liveSockets.delete(this);
      if (liveSockets.size === 0) onAllClosed?.();
    });
  }
}

function settleOne(): void {
  waiting--;
  if (waiting === 0) onSettled?.();
}

function failNow(reason: string): void {
  if (phase === 'connecting') connectFailures.add(reason);
  else if (phase === 'storm') incidents.push({ at: wallClockMs(), reason });
}

function watch(record: StormClient, opened: () => void): void {
  const { client, cookie } = record;
  client.on('open', ({ user }) => {
    if (user?.id !== cookie.userId) failNow('authenticated as another user, or none');
    if (phase === 'connecting') {
      record.openedAt ??= wallClockMs();
      opened();
    } else if (phase === 'storm' && record.droppedAt !== undefined) {
      if (record.reopenedAt !== undefined) return;
      record.reopenedAt = wallClockMs();
      settleOne();
    }
  });
  client.on('close', ({ code, reason, willReconnect }) => {
    // Closed on purpose: by storm-close, or after its initial time-out (already counted).
    if (phase === 'closing' || record.gaveUp) return;
    // The close event comes before the state changes: 'open' means an open connection ended.
    if (client.state === 'open') {
      if (phase === 'connecting') failNow(`dropped while the others connected (${code})`);
      else if (record.droppedAt === undefined) record.droppedAt = wallClockMs();
      else failNow(`dropped again after re-opening (${code} ${reason})`);
    } else {
      const why = reason || record.attempt.error || `closed with ${code}`;
      if (phase === 'connecting') connectFailures.add(`failed handshake: ${why}`);
      else failedAttempts.push({ at: record.attempt.startedAt, reason: why });
    }
    if (!willReconnect) {
      failNow(`gave up reconnecting after ${code} ${reason}`);
      record.gaveUp = true;
      if (phase === 'connecting') opened();
      else if (record.reopenedAt === undefined) settleOne();
    }
  });
  client.on('error', (error) => failNow(`client error ${error.code}: ${error.message}`));
}

/** Creates one client and resolves once it is open, gave up, or `timeoutMs` passed. */
function openClient(cookie: PooledCookie, url: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      connectFailures.add(`not open within ${timeoutMs} ms`);
      record.gaveUp = true;
      record.client.close();
      resolve();
    }, timeoutMs);
    const opened = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const attempt: Attempt = { startedAt: 0, error: undefined };
    attemptOf.set(cookie.pair, attempt);
    const record: StormClient = {
      cookie,
      attempt,
      client: createClient({
        url,
        headers: { cookie: cookie.pair, origin: authFixture.origin },
        WebSocket: StormWebSocket,
      }),
      openedAt: undefined,
      droppedAt: undefined,
      reopenedAt: undefined,
      gaveUp: false,
    };
    clients.push(record);
    watch(record, opened);
  });
}

async function connect(
  request: Extract<StormRequest, { type: 'storm-connect' }>,
): Promise<StormConnectResult> {
  if (clients.length > 0) throw new Error('bench: storm-connect before storm-close.');
  const cookies = cookiePool().first(request.clients);
  if (cookies.length < request.clients) {
    throw new Error(
      `bench: the storm needs ${request.clients} cookies, the pool has ${cookies.length}.`,
    );
  }
  phase = 'connecting';
  connectFailures = new FailureTally();
  failedAttempts = [];
  incidents = [];
  const startedAt = performance.now();
  let next = 0;
  await runConcurrently(
    request.concurrency,
    () => next < cookies.length,
    () => openClient(cookies[next++]!, request.url, request.timeoutMs),
  );
  const open = clients.filter((record) => record.openedAt !== undefined && !record.gaveUp);
  waiting = open.length;
  phase = 'storm';
  stormCpuBefore = process.cpuUsage();
  stormStartedAt = performance.now();
  return {
    opened: open.length,
    elapsedMs: performance.now() - startedAt,
    failures: connectFailures.toRecord(),
  };
}

/** The busiest 100 ms of re-authentications from `from` on, per second. */
function peakRate(times: readonly number[], from: number): number {
  const buckets = new Map<number, number>();
  for (const at of times) {
    // The ready message travels after the listen: a client can beat it by a millisecond.
    const bucket = Math.max(0, Math.floor((at - from) / 100));
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  }
  return Math.max(0, ...buckets.values()) * 10;
}

async function waitForStorm(
  request: Extract<StormRequest, { type: 'storm-wait' }>,
): Promise<StormWaitResult> {
  if (waiting > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, request.timeoutMs);
      onSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    onSettled = undefined;
  }
  const cpu = process.cpuUsage(stormCpuBefore);
  const loadElapsedMs = performance.now() - stormStartedAt;
  const { killedAt, listeningAt } = request;
  const failures = new FailureTally();
  let failedHandshakes = 0;
  let attemptsWhileDown = 0;
  for (const { at, reason } of failedAttempts) {
    if (at < listeningAt) {
      attemptsWhileDown++;
    } else {
      failedHandshakes++;
      failures.add(`failed handshake in the storm: ${reason}`);
    }
  }
  for (const { reason } of incidents) failures.add(reason);
  const reopenedAt: number[] = [];
  for (const record of clients) {
    if (record.openedAt === undefined || record.gaveUp) continue;
    if (record.droppedAt === undefined) failures.add('not dropped by the restart');
    else if (record.droppedAt < killedAt) failures.add('dropped before the restart');
    if (record.reopenedAt === undefined) {
      failures.add(`not re-authenticated within ${request.timeoutMs} ms`);
    } else {
      reopenedAt.push(record.reopenedAt);
    }
  }
  return {
    reopened: reopenedAt.length,
    stormMs: Math.max(...reopenedAt) - listeningAt,
    peakRate: peakRate(reopenedAt, listeningAt),
    failedHandshakes,
    attemptsWhileDown,
    loadCpuMicros: cpu.user + cpu.system,
    loadElapsedMs,
    failures: failures.toRecord(),
  };
}

async function close(
  request: Extract<StormRequest, { type: 'storm-close' }>,
): Promise<StormCloseResult> {
  phase = 'closing';
  for (const { client } of clients) client.close();
  const failures = new FailureTally();
  if (liveSockets.size > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, request.timeoutMs);
      onAllClosed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    onAllClosed = undefined;
  }
  if (liveSockets.size > 0) {
    failures.add(`socket not closed within ${request.timeoutMs} ms`, liveSockets.size);
    for (const socket of liveSockets) socket.terminate();
    liveSockets.clear();
  }
  clients = [];
  attemptOf.clear();
  waiting = 0;
  return { failures: failures.toRecord() };
}

/** Load side: the storm requests the load child answers. */
export const stormHandlers = {
  'storm-connect': connect,
  'storm-wait': waitForStorm,
  'storm-close': close,
};

const settings = {
  clients: 5_000,
  concurrency: 50,
  /** Per client, for its first open; a busy machine opens 5,000 in well under 10 s. */
  connectTimeoutMs: 15_000,
  /** Twice the backoff's cap (30 s): a client may sleep a whole cap before its next attempt. */
  stormTimeoutMs: 60_000,
  closeTimeoutMs: 10_000,
  login: { concurrency: 20, timeoutMs: 5_000 },
};

/**
 * Parent side: open every client, kill and restart the server, time the storm, close. The
 * restarted server starts with an empty unseal cache, so any cookies the server has not seen
 * since it started do: those of an earlier login are reused.
 */
export const reconnectStormMeasurement: Measurement = {
  name: 'reconnect-storm',
  // A window opens 5,000 clients (5 to 10 s), restarts the server and waits out the storm.
  defaultRounds: 3,
  budget: { prepareSeconds: 20, windowSeconds: 60 },
  rows: [
    {
      id: 'storm-time',
      label: `server restart with ${settings.clients.toLocaleString('en-US')} clients: listening to all re-authenticated`,
      unit: 's',
      better: 'lower',
      decimals: 2,
    },
    {
      id: 'storm-peak',
      // Timed where the load generator sees each open: one that stalls sees them in a batch.
      label: 'peak re-authentication rate (busiest 100 ms, at the load generator)',
      unit: '/s',
      better: 'higher',
      decimals: 0,
    },
    {
      id: 'storm-failed',
      label: 'failed handshakes once the server listened',
      unit: 'count',
      better: 'lower',
      decimals: 0,
    },
    {
      id: 'storm-refused',
      label: 'attempts refused while the server was down',
      unit: 'count',
      better: 'lower',
      decimals: 0,
    },
    {
      id: 'storm-restart',
      label: 'restart: kill to listening',
      unit: 'ms',
      better: 'lower',
      decimals: 0,
    },
    {
      id: 'storm-cpu',
      label: 'server CPU per re-authenticated client (failed attempts in, start-up out)',
      unit: 'µs',
      better: 'lower',
      decimals: 0,
    },
  ],

  async prepare({ load, servers }) {
    const server = servers.find((candidate) => candidate.authenticates);
    if (server === undefined)
      throw new Error('bench: reconnect-storm needs a server that logs in.');
    return logInUsers(load, server, {
      count: settings.clients,
      warmSize: 0,
      reuse: true,
      ...settings.login,
    });
  },

  async run({ load, url, usage, restartServer }) {
    const connected = await load.request<StormConnectResult>(
      {
        type: 'storm-connect',
        url,
        clients: settings.clients,
        concurrency: settings.concurrency,
        timeoutMs: settings.connectTimeoutMs,
      } satisfies StormRequest,
      10_000 + settings.clients * 5 + settings.connectTimeoutMs,
    );
    if (connected.opened === 0) {
      throw new Error(`bench: no storm client opened: ${JSON.stringify(connected.failures)}`);
    }
    const killedAt = wallClockMs();
    const listeningAt = await restartServer();
    const start = await usage(false);
    const startedAt = performance.now();
    const storm = await load.request<StormWaitResult>(
      {
        type: 'storm-wait',
        killedAt,
        listeningAt,
        timeoutMs: settings.stormTimeoutMs,
      } satisfies StormRequest,
      settings.stormTimeoutMs + 10_000,
    );
    const end = await usage(false);
    const serverMs = performance.now() - startedAt;
    const closed = await load.request<StormCloseResult>(
      { type: 'storm-close', timeoutMs: settings.closeTimeoutMs } satisfies StormRequest,
      settings.closeTimeoutMs + 10_000,
    );
    const serverCpu = end.cpuMicros - start.cpuMicros;
    return {
      figures: {
        // Only a storm every client came through has an end to time.
        ...(storm.reopened === connected.opened && { 'storm-time': storm.stormMs / 1_000 }),
        'storm-peak': storm.peakRate,
        'storm-failed': storm.failedHandshakes,
        'storm-refused': storm.attemptsWhileDown,
        'storm-restart': listeningAt - killedAt,
        ...(storm.reopened > 0 && { 'storm-cpu': serverCpu / storm.reopened }),
      },
      serverBusyPercent: busyPercent(serverCpu, serverMs),
      loadBusyPercent: busyPercent(storm.loadCpuMicros, storm.loadElapsedMs),
      failures: mergeFailures(connected.failures, storm.failures, closed.failures),
    };
  },
};
