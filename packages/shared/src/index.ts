// The application model: scope, events and the Application type.
export type {
  AnonymousUser,
  AuthenticatedUser,
  Header,
  HostPort,
  HttpScope,
  Scope,
  ScopeUser,
  Session,
  UrlRoute,
  User,
  WebSocketScope,
  WithCookies,
  WithSession,
  WithUrlRoute,
  WithUser,
} from './scope.js';
export type {
  Application,
  HttpDisconnectEvent,
  HttpInboundEvent,
  HttpOutboundEvent,
  HttpRequestEvent,
  HttpResponseBodyEvent,
  HttpResponseStartEvent,
  InboundEvent,
  OutboundEvent,
  Receive,
  Send,
  WebSocketAcceptEvent,
  WebSocketAuthEvent,
  WebSocketAuthReason,
  WebSocketCloseEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketInboundEvent,
  WebSocketOutboundEvent,
  WebSocketReceiveEvent,
  WebSocketSendEvent,
} from './application.js';

// The in-socket auth protocol: messages, close codes with their client policy, error codes.
export type {
  AuthErrorMessage,
  AuthExpiredMessage,
  AuthLoginMessage,
  AuthLogoutMessage,
  AuthResultMessage,
  AuthRevokedMessage,
  AuthWhoamiMessage,
  ClientMessage,
  ErrorMessage,
  RequestId,
  ServerMessage,
  SessionExpiringMessage,
  SessionPingMessage,
  SessionPongMessage,
  SessionRefreshMessage,
  SessionUpdatedMessage,
  WireError,
  WireUser,
} from './messages.js';
export { encodeMessage, isControlType } from './messages.js';
export { CloseCode, closeCodes, closePolicy } from './close-codes.js';
export type { ClosePolicy } from './close-codes.js';
export { ErrorCode } from './error-codes.js';
export { parseClientMessage, parseServerMessage } from './parse-message.js';
export type { ParsedFrame } from './parse-message.js';
