/**
 * Dead-link detection: a WebSocket whose peer vanished without a FIN (a laptop lid, a NAT
 * that forgot the flow) looks open forever. Pinging it and expecting a pong by the next ping
 * is the idle time-out.
 */
import type WebSocket from 'ws';

/**
 * Pings `ws` every `intervalMs` and calls `onDead` if neither a pong nor a message arrived
 * since the previous ping. Returns a function that stops it; 0 disables pinging.
 *
 * @example
 * const stop = startHeartbeat(ws, 25_000, () => ws.terminate());
 * ws.on('close', stop);
 */
export function startHeartbeat(ws: WebSocket, intervalMs: number, onDead: () => void): () => void {
  if (intervalMs === 0) return () => {};
  let alive = true;
  const sawLife = (): void => {
    alive = true;
  };
  const timer = setInterval(() => {
    if (!alive) {
      stop();
      onDead();
      return;
    }
    alive = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  ws.on('pong', sawLife);
  ws.on('message', sawLife);
  function stop(): void {
    clearInterval(timer);
    ws.off('pong', sawLife);
    ws.off('message', sawLife);
  }
  return stop;
}
