/**
 * Sign-ins shared between this site's tabs. The client already tells other tabs about logouts
 * and revocations; a sign-in only changes the cookie, which a tab's open socket never sees.
 * So a tab that signs in says so, and guest tabs reconnect to pick the new cookie up.
 */
const channelName = 'wsgate-demo:sign-in';

/**
 * Listens for other tabs' sign-ins; returns the function that announces this tab's.
 *
 * @example
 * const announceSignIn = watchSignIns(() => reopenRoom());
 * // after a successful sign-in:
 * announceSignIn();
 */
export function watchSignIns(signedInElsewhere: () => void): () => void {
  if (typeof BroadcastChannel !== 'function') return () => undefined;
  const channel = new BroadcastChannel(channelName);
  channel.addEventListener('message', signedInElsewhere);
  return () => channel.postMessage('signed-in');
}
