/**
 * Authenticated handshakes: each client opens a WebSocket with a real session cookie (from a
 * login over HTTP) and the allowed Origin, waits for open and closes, as the plain handshake
 * rows do. Two cookie regimes: warm, a small pool of cookies reused, so that after the first
 * use the server's unseal cache answers (tabs reconnecting); and cold, every cookie sent to a
 * server once, so that every handshake unseals (a restart, then everyone reconnecting).
 */
import { isDeepStrictEqual } from 'node:util';
import { authFixture } from '../auth-fixture.js';
import type { BenchChild } from '../bench-child.js';
import type { Measurement, PreparedServer } from '../measurement.js';
import { mergeFailures } from '../measurement.js';
import { FailureTally } from './failure-tally.js';
import { measureHandshakeWindow, runHandshakeLoop } from './handshakes.js';
import type { HandshakeLoop, HandshakePhase, HandshakeResult } from './handshakes.js';
import { ConnectFailure } from './lean-socket.js';
import { loadClient } from './load-client.js';
import type { LoadConnection, Protocol } from './load-client.js';
import type { LoadRequest } from './load-request.js';
import { cookiePool, logInUsers } from './session-cookies.js';

export type Regime = 'warm' | 'cold';

export type AuthRequest =
  | {
      readonly type: 'auth-verify';
      readonly protocol: Protocol;
      readonly url: string;
      /** Sockets to open with warm cookies, each asking who it is. */
      readonly count: number;
      readonly timeoutMs: number;
    }
  | ({
      readonly type: 'auth-handshakes';
      readonly protocol: Protocol;
      readonly url: string;
      readonly regime: Regime;
    } & HandshakeLoop);

export interface VerifyResult {
  readonly verified: number;
  readonly failures: Record<string, number>;
}

export interface AuthHandshakeResult extends HandshakeResult {
  /** The cold regime ran out of unused cookies before its count or time was up. */
  readonly exhausted: boolean;
}

/** The first message on `connection`, or a ConnectFailure after `timeoutMs` or a close. */
function firstReply(connection: LoadConnection, timeoutMs: number): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      connection.onMessage = undefined;
      connection.onClose = undefined;
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new ConnectFailure(`no whoami reply in ${timeoutMs} ms`))),
      timeoutMs,
    );
    connection.onMessage = (message) => settle(() => resolve(message));
    connection.onClose = (reason) =>
      settle(() => reject(new ConnectFailure(`${reason} before the whoami reply`)));
  });
}

/**
 * Proves that the server authenticates from these cookies as the user who logged in: each
 * socket asks who it is and must be told that user's id.
 */
async function verify(
  request: Extract<AuthRequest, { type: 'auth-verify' }>,
): Promise<VerifyResult> {
  const failures = new FailureTally();
  const client = loadClient(request.protocol, request.url, { Origin: authFixture.origin });
  let verified = 0;
  for (const cookie of cookiePool().warm.slice(0, request.count)) {
    try {
      const connection = await client.open(request.timeoutMs, cookie.head);
      const reply = firstReply(connection, request.timeoutMs);
      connection.send({ type: 'whoami' });
      const answer = await reply.finally(() => connection.close(request.timeoutMs));
      if (isDeepStrictEqual(answer, { user: cookie.userId })) verified++;
      else {
        const named = String(JSON.stringify(answer)).slice(0, 80);
        failures.add(`whoami named another user or none (${named})`);
      }
    } catch (error) {
      if (!(error instanceof ConnectFailure)) throw error;
      failures.add(error.message);
    }
  }
  return { verified, failures: failures.toRecord() };
}

async function runAuthHandshakes(
  request: Extract<AuthRequest, { type: 'auth-handshakes' }>,
): Promise<AuthHandshakeResult> {
  const pool = cookiePool();
  const client = loadClient(request.protocol, request.url, { Origin: authFixture.origin });
  if (request.regime === 'warm') {
    const result = await runHandshakeLoop(request, client, () => pool.nextWarm());
    return { ...result, exhausted: false };
  }
  let exhausted = false;
  const result = await runHandshakeLoop(request, client, () => {
    const head = pool.nextCold(request.url);
    exhausted ||= head === undefined;
    return head;
  });
  return { ...result, exhausted };
}

/** Load side: the requests of the authenticated rows. */
export const authHandlers = {
  'auth-verify': verify,
  'auth-handshakes': runAuthHandshakes,
};

/**
 * Warm: 100 cookies for 50 clients, so each comes back while the cache still holds it. Cold: a
 * window's warm-up and measured run use at most 1,600 new cookies per server, which with the
 * priming sizes the logins (5,400 for three windows, about 10 s on a busy machine); a quiet
 * machine reaches the cap in under 2 s and ends the window early, which leaves the rate right.
 * The cold warm-up can be short: the priming and the warm run just before it ran the same code.
 */
const settings = {
  concurrency: 50,
  warmPool: 100,
  verify: 3,
  warm: {
    warmup: { maxCount: 200, durationMs: 500 },
    measured: { maxCount: 20_000, durationMs: 2_000 },
  },
  cold: {
    warmup: { maxCount: 100, durationMs: 300 },
    measured: { maxCount: 1_500, durationMs: 2_000 },
  },
  // A fresh server takes seconds of handshakes to reach its steady cost (the JIT's tiers);
  // this shortens that for the first window, and the median of the windows does the rest.
  priming: {
    warm: { maxCount: 3_000, durationMs: 1_000 },
    cold: { maxCount: 500, durationMs: 500 },
  },
  login: { concurrency: 20, timeoutMs: 5_000 },
  timeoutMs: 5_000,
};

/** One run of authenticated handshakes against `url`, as the load child takes it. */
function handshakesRequest(
  protocol: Protocol,
  url: string,
  regime: Regime,
  phase: HandshakePhase,
): AuthRequest {
  return {
    type: 'auth-handshakes',
    protocol,
    url,
    regime,
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    ...phase,
  };
}

/**
 * Runs warm, then cold handshakes against every server, unmeasured, so that the first window
 * finds each in its steady state. Says what failed, if anything.
 */
async function primeServers(
  load: BenchChild<LoadRequest>,
  servers: readonly PreparedServer[],
): Promise<string> {
  const tallies: Record<string, number>[] = [];
  for (const { url, protocol } of servers) {
    for (const regime of ['warm', 'cold'] as const) {
      const phase = settings.priming[regime];
      const priming = await load.request<AuthHandshakeResult>(
        handshakesRequest(protocol, url, regime, phase),
        phase.durationMs + 4 * settings.timeoutMs,
      );
      tallies.push(priming.failures);
    }
  }
  const failures = mergeFailures(...tallies);
  const failed = Object.keys(failures).length === 0 ? 'none' : JSON.stringify(failures);
  const { warm, cold } = settings.priming;
  return `primed every server with ${warm.durationMs} ms of warm and ${cold.durationMs} ms of cold handshakes (failed: ${failed})`;
}

/** Parent side: log in once, then per window a warm and a cold run against the server. */
export const authHandshakeMeasurement: Measurement = {
  name: 'auth-handshakes',
  protocols: ['ws', 'socket.io'],
  // Two runs per window, and the cold cookies are logged in up front: three keeps it short.
  defaultRounds: 3,
  rows: [
    {
      id: 'auth-warm-rate',
      label: `authenticated handshakes/s, warm (${settings.warmPool} cookies reused)`,
      unit: '/s',
      better: 'higher',
      decimals: 0,
    },
    {
      id: 'auth-warm-cpu',
      label: 'server CPU per authenticated handshake, warm',
      unit: 'µs',
      better: 'lower',
      decimals: 0,
    },
    {
      id: 'auth-cold-rate',
      label: 'authenticated handshakes/s, cold (every cookie new)',
      unit: '/s',
      better: 'higher',
      decimals: 0,
    },
    {
      id: 'auth-cold-cpu',
      label: 'server CPU per authenticated handshake, cold',
      unit: 'µs',
      better: 'lower',
      decimals: 0,
    },
  ],

  async prepare({ load, servers, windows }) {
    // wsgate's auth server has the login view; Socket.IO's only reads the cookies it sets.
    const server = servers.find(
      (candidate) => candidate.authenticates && candidate.protocol === 'ws',
    );
    if (server === undefined) {
      throw new Error('bench: auth-handshakes needs a server that logs in.');
    }
    const perWindow = settings.cold.warmup.maxCount + settings.cold.measured.maxCount;
    const cold = settings.priming.cold.maxCount + windows * perWindow;
    const loggedIn = await logInUsers(load, server, {
      count: settings.warmPool + cold,
      warmSize: settings.warmPool,
      ...settings.login,
    });
    const primed = await primeServers(load, servers);
    return `${loggedIn}; ${primed}`;
  },

  async run({ load, url, protocol, usage, authenticates }) {
    const bound = (ms: number): number => ms + 4 * settings.timeoutMs;
    let verified: VerifyResult = { verified: 0, failures: {} };
    if (authenticates) {
      verified = await load.request<VerifyResult>(
        {
          type: 'auth-verify',
          protocol,
          url,
          count: settings.verify,
          timeoutMs: settings.timeoutMs,
        },
        bound(settings.verify * 2 * settings.timeoutMs),
      );
      if (verified.verified < settings.verify) {
        throw new Error(
          `bench: the server did not authenticate: ${JSON.stringify(verified.failures)}`,
        );
      }
    }
    const window = (regime: Regime) =>
      measureHandshakeWindow(
        async (phase: HandshakePhase) => {
          const result = await load.request<AuthHandshakeResult>(
            handshakesRequest(protocol, url, regime, phase),
            bound(phase.durationMs),
          );
          if (result.exhausted) {
            throw new Error('bench: the cold regime ran out of cookies; prepare sized it wrong.');
          }
          return result;
        },
        settings[regime],
        usage,
      );
    const warm = await window('warm');
    const cold = await window('cold');
    return {
      figures: {
        'auth-warm-rate': warm.rate,
        'auth-warm-cpu': warm.cpuMicros,
        'auth-cold-rate': cold.rate,
        'auth-cold-cpu': cold.cpuMicros,
      },
      // Both runs last as long, so the mean is the share over the pair.
      serverBusyPercent: (warm.serverBusyPercent + cold.serverBusyPercent) / 2,
      loadBusyPercent: (warm.loadBusyPercent + cold.loadBusyPercent) / 2,
      failures: mergeFailures(verified.failures, warm.failures, cold.failures),
    };
  },
};
