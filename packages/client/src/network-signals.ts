/**
 * What a browser knows about the network and the page: reconnect at once when it comes back
 * online, stop burning attempts while it is offline, and check a link that may have died while
 * the tab slept. Each is feature-checked, so in Node nothing is watched.
 */

export interface NetworkSignalHandlers {
  readonly online: () => void;
  readonly offline: () => void;
  /** The page became visible again. */
  readonly visible: () => void;
}

/** `globalThis` as Node sees it too: none of the browser's globals can be taken for granted. */
const runtime = globalThis as {
  addEventListener?: typeof globalThis.addEventListener;
  removeEventListener?: typeof globalThis.removeEventListener;
  document?: Document;
  navigator?: Navigator;
};

/**
 * True only when the browser says it is offline; unknown counts as online.
 *
 * @example
 * if (isOffline()) waitForOnline(); else setTimeout(reconnect, delay);
 */
export function isOffline(): boolean {
  return runtime.navigator?.onLine === false;
}

/**
 * Starts watching; returns the function that stops.
 *
 * @example
 * const stop = watchNetwork({ online: reconnectNow, offline: pause, visible: ping });
 */
export function watchNetwork(handlers: NetworkSignalHandlers): () => void {
  const online = (): void => handlers.online();
  const offline = (): void => handlers.offline();
  const visibility = (): void => {
    if (runtime.document?.visibilityState === 'visible') handlers.visible();
  };
  runtime.addEventListener?.('online', online);
  runtime.addEventListener?.('offline', offline);
  runtime.document?.addEventListener('visibilitychange', visibility);
  return () => {
    runtime.removeEventListener?.('online', online);
    runtime.removeEventListener?.('offline', offline);
    runtime.document?.removeEventListener('visibilitychange', visibility);
  };
}
