/**
 * Tickets: how a session saved inside a socket reaches the browser's HttpOnly cookie. The
 * socket sends the client a ticket; the client POSTs it to the session endpoint, which sets
 * the cookie. A ticket is sealed with the session's passwords, so only the server reads it:
 *
 *     { p: 'wsgate.ticket', tv: 1, tid, iat, exp, sid, seal, sexp, bound: [sessionId, ...] }
 *
 * `seal` is the session's new cookie value (null: delete the cookie), sealed again inside the
 * ticket so that page scripts never hold a usable cookie. `tid` makes it single-use, `exp`
 * short-lived, and `bound` names the sessions whose cookie it may replace: the one the socket
 * opened with and those of its earlier tickets. The purpose tag and the field names keep a
 * ticket from opening as a session and a session seal from opening as a ticket.
 */
import { ServerErrorCode, WsgateError } from '../errors.js';
import { newSessionId } from '../sessions/seal-session.js';
import { maxSealLength } from '../sessions/session-codec.js';
import type { SessionCodec } from '../sessions/session-codec.js';

/** What a ticket says, once opened. */
export interface Ticket {
  /** Unique per ticket: the endpoint remembers used ones. */
  readonly ticketId: string;
  /** When the ticket was sealed, in ms since the epoch. */
  readonly issuedAt: number;
  /** When it stops opening, in ms since the epoch. */
  readonly expiresAt: number;
  /** The saved session's id (the one revocation would name). */
  readonly sessionId: string;
  /** The cookie value to set, or null to delete the cookie (an emptied session). */
  readonly seal: string | null;
  /** When `seal` stops opening; null with a null seal. */
  readonly sessionExpiresAt: number | null;
  /** Session ids whose cookie the ticket may replace. */
  readonly boundTo: readonly string[];
}

export type TicketRequest = Pick<Ticket, 'sessionId' | 'seal' | 'sessionExpiresAt' | 'boundTo'>;

const purpose = 'wsgate.ticket';
const layoutVersion = 1;
/** The longest a ticket may live: it is a bearer credential in page script memory. */
export const maxTicketTtlSeconds = 60;
/** Bounds what a ticket carries (a socket that logs in and out a thousand times). */
export const maxBoundSessions = 8;

const idShape = /^[\w-]{22}$/;

const isId = (value: unknown): value is string => typeof value === 'string' && idShape.test(value);
const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/**
 * Seals a ticket for `request`, valid for `ttlSeconds` (at most 60). Throws WsgateError
 * `SESSION_ERROR` when the session is too big to travel in a ticket.
 *
 * @example
 * const ticket = await sealTicket(codec, { sessionId, seal, sessionExpiresAt, boundTo: [openedWith] }, 60);
 */
export async function sealTicket(
  codec: SessionCodec,
  request: TicketRequest,
  ttlSeconds: number,
): Promise<string> {
  const issuedAt = Date.now();
  const ticket = await codec.seal(
    {
      p: purpose,
      tv: layoutVersion,
      tid: newSessionId(),
      iat: issuedAt,
      exp: issuedAt + ttlSeconds * 1000,
      sid: request.sessionId,
      seal: request.seal,
      sexp: request.sessionExpiresAt,
      bound: request.boundTo.slice(-maxBoundSessions),
    },
    ttlSeconds,
  );
  // The codec opens nothing longer, so such a ticket would be refused at the endpoint.
  if (ticket.length > maxSealLength) {
    throw new WsgateError(
      ServerErrorCode.session,
      `the session is too big to send to the client as a ticket (${ticket.length} characters sealed, at most ${maxSealLength}); the cookie would not follow the socket. Keep ids in the session, not whole objects (about 1.5 KB of data fits).`,
    );
  }
  return ticket;
}

/**
 * The ticket `text` carries, or null for anything that is not an unexpired ticket sealed with
 * these passwords. Never throws: a ticket is untrusted input.
 *
 * @example
 * const ticket = await openTicket(codec, body.ticket);
 * if (ticket === null) return refuse(401);
 */
export async function openTicket(codec: SessionCodec, text: string): Promise<Ticket | null> {
  const value = (await codec.unseal(text)) as Record<string, unknown> | null;
  if (value === null || value.p !== purpose || value.tv !== layoutVersion) return null;
  const { tid, iat, exp, sid, seal, sexp, bound } = value;
  if (!isId(tid) || !isId(sid) || !isTime(iat) || !isTime(exp) || !(exp > Date.now())) {
    return null;
  }
  const sealed = typeof seal === 'string' && isTime(sexp);
  const emptied = seal === null && sexp === null;
  if (!(sealed || emptied)) return null;
  if (!Array.isArray(bound) || bound.length > maxBoundSessions || !bound.every(isId)) return null;
  return {
    ticketId: tid,
    issuedAt: iat,
    expiresAt: exp,
    sessionId: sid,
    seal: sealed ? seal : null,
    sessionExpiresAt: sealed ? sexp : null,
    boundTo: bound,
  };
}
