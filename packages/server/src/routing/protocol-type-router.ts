/**
 * `protocolTypeRouter`: Channels' ProtocolTypeRouter, the usual root of an application. It
 * sends each connection to the application for its `scope.type`.
 */
import type { Application, HttpScope, Scope, WebSocketScope } from '@wsgate/shared';
import { callApplication } from '../call-application.js';
import { ServerErrorCode, WsgateError } from '../errors.js';

/**
 * The applications of a `protocolTypeRouter`, by scope type. `Added` is what middleware
 * around the router adds to the scope, visible to both.
 *
 * @example
 * const apps: ProtocolTypeApps = { http: djangoLikeHttpApp, websocket: urlRouter(wsRoutes) };
 */
export interface ProtocolTypeApps<Added = unknown> {
  readonly http?: Application<HttpScope & Added> | undefined;
  readonly websocket?: Application<WebSocketScope & Added> | undefined;
}

const scopeTypes = ['http', 'websocket'] as const;

/**
 * Dispatches on `scope.type`. A connection of a type with no application is an error that
 * names the type (the adapter answers it with HTTP 500 and logs it).
 *
 * @throws WsgateError `INVALID_OPTION` at construction for no applications, an unknown key or
 *   a value that is not a function; `UNKNOWN_SCOPE_TYPE` per connection of an unconfigured type.
 * @example
 * const app = protocolTypeRouter({
 *   http: httpApp,
 *   websocket: authMiddlewareStack(urlRouter([route('ws/chat/:room/', ChatConsumer.asApp())]), opts),
 * });
 * await serve(app, { port: 8000 });
 */
export function protocolTypeRouter<Added = unknown>(
  apps: ProtocolTypeApps<Added>,
  // NoInfer: `const app: Application = protocolTypeRouter(...)` must not infer Added = never.
): Application<Scope & NoInfer<Added>> {
  const { http, websocket } = checkApps(apps);
  const configured = scopeTypes.filter((type) => apps[type] !== undefined).join(', ');

  // Not async: an open socket then holds its application's promise and none of the router's.
  return (scope, receive, send) => {
    if (scope.type === 'http' && http) return callApplication(http, scope, receive, send);
    if (scope.type === 'websocket' && websocket) {
      return callApplication(websocket, scope, receive, send);
    }
    return unknownScopeType(scope, configured);
  };
}

/**
 * The error for a scope type with no application, as a rejection. Built in a reaction, so
 * that nothing about an odd `type` can make the router throw instead.
 */
function unknownScopeType(scope: Scope, configured: string): Promise<never> {
  return Promise.resolve().then(() => {
    const type: unknown = (scope as { type?: unknown }).type;
    throw new WsgateError(
      ServerErrorCode.unknownScopeType,
      `protocolTypeRouter has no application for scope type ${JSON.stringify(type) ?? 'undefined'} (configured: ${configured}).` +
        (type === 'http' || type === 'websocket'
          ? ` Add one: protocolTypeRouter({ ${type}: app, ... }).`
          : ''),
    );
  });
}

function checkApps<Added>(apps: ProtocolTypeApps<Added>): ProtocolTypeApps<Added> {
  if (typeof apps !== 'object' || apps === null) {
    throw invalid(
      'protocolTypeRouter(apps) needs an object such as { http: app, websocket: app }.',
    );
  }
  for (const [key, app] of Object.entries(apps)) {
    if (!(scopeTypes as readonly string[]).includes(key)) {
      throw invalid(
        `protocolTypeRouter: unknown scope type '${key}'; the scope types are ${scopeTypes.join(' and ')}.`,
      );
    }
    if (app !== undefined && typeof app !== 'function') {
      throw invalid(
        `protocolTypeRouter: '${key}' must be an application function, got ${typeof app}.`,
      );
    }
  }
  if (apps.http === undefined && apps.websocket === undefined) {
    throw invalid('protocolTypeRouter needs an application for http, websocket, or both.');
  }
  return apps;
}

function invalid(message: string): WsgateError {
  return new WsgateError(ServerErrorCode.invalidOption, message);
}
