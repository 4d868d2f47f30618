/**
 * How a logout reaches the live sockets of the session it ended: the revocation store makes
 * the session's seal refuse to open from now on, and a notice on the channel layer, sent to
 * the session's group, tells every socket that opened it, on any node sharing the layer.
 */
import { InMemoryChannelLayer } from '../layers/in-memory-channel-layer.js';
import type { ChannelLayer, ChannelLayerMessage } from '../layers/channel-layer.js';

/** What a socket of the revoked session receives on its channel. */
export interface RevocationNotice extends ChannelLayerMessage {
  readonly type: 'wsgate.session.revoked';
  readonly sessionId: string;
  /** Shown to the client in `auth.revoked {reason}`. */
  readonly reason: string;
}

const noticeType = 'wsgate.session.revoked';

/**
 * The group every socket of a session joins. Session ids are 22 base64url characters, which
 * group names allow (letters, digits, `-`, `_`, `.`; under 100 characters).
 */
export function sessionGroup(sessionId: string): string {
  return `wsgate.session.${sessionId}`;
}

/** Tells every socket of `sessionId`, on every node sharing `layer`, that it was revoked. */
export function publishRevocation(
  layer: ChannelLayer,
  sessionId: string,
  reason: string,
): Promise<void> {
  const notice: RevocationNotice = { type: noticeType, sessionId, reason };
  return layer.groupSend(sessionGroup(sessionId), notice);
}

export function isRevocationNotice(message: ChannelLayerMessage): message is RevocationNotice {
  return (
    message.type === noticeType &&
    typeof message.sessionId === 'string' &&
    typeof message.reason === 'string'
  );
}

let processLayer: InMemoryChannelLayer | undefined;

/**
 * The layer sessions use when none is configured: one per process, so that an HTTP logout
 * reaches the sockets of the same process whichever middleware stacks they run behind. It is
 * never closed: it holds no timers or sockets, only the groups of live sockets.
 */
export function processRevocationLayer(): InMemoryChannelLayer {
  processLayer ??= new InMemoryChannelLayer();
  return processLayer;
}
