// @wsgate/server: the public surface, listed explicitly (no `export *`).

// The application model (types live in @wsgate/shared, re-exported for one import).
export type {
  Application,
  HttpScope,
  InboundEvent,
  OutboundEvent,
  Receive,
  Scope,
  Send,
  WebSocketScope,
} from '@wsgate/shared';

// Errors and logging.
export { ServerErrorCode, WsgateError } from './errors.js';
export { consoleLogger, defaultLogger } from './logger.js';
export type { Logger, LogLevel } from './logger.js';

// == adapter: serve() and attach() on Node's http server and ws ==

// == middleware and routing ==

// == consumers and channel layers ==

// == testing communicators ==

// == auth stack: cookies, sessions, users, origin validation ==
export { cookieMiddleware } from './cookies/cookie-middleware.js';
export { deleteCookie, setCookie } from './cookies/set-cookie.js';
export type { CookieAttributes, SameSite } from './cookies/set-cookie.js';
export { originValidator } from './security/origin-validator.js';
export type { OriginValidatorOptions } from './security/origin-validator.js';
export { allowedHostsOriginValidator } from './security/allowed-hosts-origin-validator.js';
