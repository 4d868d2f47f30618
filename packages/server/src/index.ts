// @wsgate/server: the public surface, listed explicitly (no `export *`).

// The application model (types live in @wsgate/shared, re-exported for one import).
export type {
  Application,
  Header,
  HttpScope,
  InboundEvent,
  OutboundEvent,
  Receive,
  Scope,
  Send,
  WebSocketScope,
  WithCookies,
} from '@wsgate/shared';

// Errors and logging.
export { ServerErrorCode, WsgateError } from './errors.js';
export { consoleLogger, defaultLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';

// == adapter: serve() and attach() on Node's http server and ws ==
export { serve } from './adapter/serve.js';
export type { RunningServer, ServeOptions } from './adapter/serve.js';
export { attach } from './adapter/attach.js';
export type { AttachOptions, Attachment } from './adapter/attach.js';
export type { ServerOptions } from './adapter/server-options.js';

// == middleware and routing ==
export { BaseMiddleware } from './middleware/base-middleware.js';
export { protocolTypeRouter } from './routing/protocol-type-router.js';
export type { ProtocolTypeApps } from './routing/protocol-type-router.js';
export { route } from './routing/route.js';
export type { Route } from './routing/route.js';
export { urlRouter } from './routing/url-router.js';
export type { UrlRouterOptions } from './routing/url-router.js';
export type { UrlRoute, WithUrlRoute } from '@wsgate/shared';

// == consumers and channel layers ==
export type {
  ChannelLayer,
  ChannelLayerMessage,
  ChannelLayerReceiveOptions,
} from './layers/channel-layer.js';
export { InMemoryChannelLayer } from './layers/in-memory-channel-layer.js';
export type { InMemoryChannelLayerOptions } from './layers/in-memory-channel-layer.js';
export { WebsocketConsumer } from './consumers/websocket-consumer.js';
export type {
  ConsumerAppOptions,
  ConsumerInit,
  WebSocketFrame,
} from './consumers/websocket-consumer.js';
export { JsonWebsocketConsumer } from './consumers/json-websocket-consumer.js';

// == testing communicators ==
export { ApplicationCommunicator } from './testing/application-communicator.js';
export { HttpCommunicator } from './testing/http-communicator.js';
export type { HttpCommunicatorOptions, TestHttpResponse } from './testing/http-communicator.js';
export { WebsocketCommunicator } from './testing/websocket-communicator.js';
export type { TestFrame, WebsocketCommunicatorOptions } from './testing/websocket-communicator.js';

// == auth stack: cookies, sessions, users, origin validation ==
export { cookieMiddleware } from './cookies/cookie-middleware.js';
export { deleteCookie, setCookie } from './cookies/set-cookie.js';
export type { CookieAttributes, SameSite } from './cookies/set-cookie.js';
export { originValidator } from './security/origin-validator.js';
export type { OriginValidatorOptions } from './security/origin-validator.js';
export { allowedHostsOriginValidator } from './security/allowed-hosts-origin-validator.js';
// Sessions (iron-session sealed cookies) and users.
export type {
  AnonymousUser,
  AuthenticatedUser,
  ScopeUser,
  Session,
  User,
  WithSession,
  WithUser,
} from '@wsgate/shared';
export { sessionMiddleware } from './sessions/session-middleware.js';
export { sessionMiddlewareStack } from './sessions/session-middleware-stack.js';
export type { SessionCookieOptions, SessionOptions } from './sessions/session-options.js';
export type { SessionPassword } from './sessions/session-codec.js';
export type { RevocationStore } from './sessions/revocation-store.js';
export { InMemoryRevocationStore } from './sessions/in-memory-revocation-store.js';
export { authMiddleware } from './auth/auth-middleware.js';
export type { AuthMiddlewareOptions } from './auth/auth-middleware.js';
export { authMiddlewareStack } from './auth/auth-middleware-stack.js';
export type { AuthMiddlewareStackOptions } from './auth/auth-middleware-stack.js';
export type { LoadUser } from './auth/user-loader.js';
export { anonymousUser } from './auth/anonymous-user.js';
export { login } from './auth/login.js';
export { logout } from './auth/logout.js';
export { getUser } from './auth/get-user.js';

// == in-socket auth: socketAuthMiddleware, sessionEndpoint ==
export type { WebSocketAuthEvent, WebSocketAuthReason } from '@wsgate/shared';
export type { ConsumerUser } from './consumers/websocket-consumer.js';
export { socketAuthMiddleware } from './socket-auth/socket-auth-middleware.js';
export type {
  Authenticate,
  SocketAuthOptions,
  SocketAuthScope,
} from './socket-auth/socket-auth-options.js';
export { sessionEndpoint } from './socket-auth/session-endpoint.js';
export type { SessionEndpointOptions } from './socket-auth/session-endpoint.js';

// == limits: login throttling, concurrency, connection and message rates ==
export { LoginThrottle } from './limits/login-throttle.js';
export type { LoginThrottleOptions, ThrottleDecision } from './limits/login-throttle.js';
export type { FailureRecord, LoginThrottleStore } from './limits/login-throttle-store.js';
export { InMemoryLoginThrottleStore } from './limits/in-memory-login-throttle-store.js';
export type { InMemoryLoginThrottleStoreOptions } from './limits/in-memory-login-throttle-store.js';
export { Semaphore } from './limits/semaphore.js';
export type { SemaphoreOptions, SemaphoreRunOptions } from './limits/semaphore.js';
export { rateLimitMiddleware } from './limits/rate-limit-middleware.js';
export type { RateLimitOptions } from './limits/rate-limit-middleware.js';
export { TokenBucket } from './limits/token-bucket.js';
export type { TokenBucketOptions } from './limits/token-bucket.js';

// == redis: channel layer and stores for several processes ==
export { RedisChannelLayer } from './redis/redis-channel-layer.js';
export type { RedisChannelLayerOptions } from './redis/redis-channel-layer.js';
export { RedisRevocationStore } from './redis/redis-revocation-store.js';
export { RedisLoginThrottleStore } from './redis/redis-login-throttle-store.js';
export type { RedisStoreOptions } from './redis/redis-options.js';
export type { RedisHealth, RedisStatus } from './redis/redis-connection.js';
