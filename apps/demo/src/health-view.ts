import type { Application, HttpScope } from '@wsgate/server';

/**
 * One backend's readiness. Redis-backed ones report their RedisHealth (`connecting`, `ready`,
 * `reconnecting` or `closed`, the last connection error, `since`, `attempts`); embedded ones
 * are `ready` while they are open.
 */
export interface BackendHealth {
  /** Where the backend keeps its state. */
  readonly kind: 'redis' | 'memory' | 'sqlite';
  readonly status: string;
  /** The last connection error, kept after recovery; null when there never was one. */
  readonly lastError: string | null;
}

/** What the demo depends on beside its own process, by the name /healthz reports. */
export type BackendsHealth = Readonly<
  Record<'channelLayer' | 'revocationStore' | 'loginThrottleStore', BackendHealth>
>;

const methodNotAllowed = new TextEncoder().encode('Use GET for /healthz');

/**
 * `GET /healthz`, for a load balancer or an orchestrator: 200 `{"status":"ok", ...}` when every
 * backend is ready, else 503 `{"status":"unavailable", "unavailable": [names], ...}`; either
 * way with each backend's entry (`channelLayer`, `revocationStore`, `loginThrottleStore`).
 * A node whose Redis is away still serves its page, but cannot chat, sign in or check a
 * cookie, so it should get no new traffic until it reports ready again. Never cached: a
 * cached "ok" would hide an outage.
 *
 * @example
 * route('/healthz', healthView(() => backends.health()));
 * // 503 {"status":"unavailable","unavailable":["channelLayer"],
 * //      "channelLayer":{"kind":"redis","status":"reconnecting","lastError":"connect ECONNREFUSED ...",...},...}
 */
export function healthView(check: () => BackendsHealth): Application<HttpScope> {
  return async (scope, _receive, send) => {
    if (scope.method !== 'GET' && scope.method !== 'HEAD') {
      await send({
        type: 'http.response.start',
        status: 405,
        headers: [
          ['content-type', 'text/plain; charset=utf-8'],
          ['allow', 'GET, HEAD'],
        ],
      });
      return send({ type: 'http.response.body', body: methodNotAllowed });
    }
    const backends = check();
    const unavailable = Object.entries(backends)
      .filter(([, health]) => health.status !== 'ready')
      .map(([name]) => name);
    const body =
      unavailable.length === 0
        ? { status: 'ok', ...backends }
        : { status: 'unavailable', unavailable, ...backends };
    await send({
      type: 'http.response.start',
      status: unavailable.length === 0 ? 200 : 503,
      headers: [
        ['content-type', 'application/json'],
        ['cache-control', 'no-store'],
      ],
    });
    // Node leaves the body out of a HEAD response itself.
    await send({ type: 'http.response.body', body: Buffer.from(JSON.stringify(body)) });
  };
}
