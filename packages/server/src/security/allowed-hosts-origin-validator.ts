import type { Application, Scope } from '@wsgate/shared';
import { compileHostPattern } from './origin-pattern.js';
import { guardOrigin } from './origin-validator.js';
import type { OriginValidatorOptions } from './origin-validator.js';

/**
 * `originValidator` from a Django ALLOWED_HOSTS-style list (Channels'
 * AllowedHostsOriginValidator): each entry is `a.com` (that host), `.a.com` (a.com and its
 * subdomains) or `*` (anything), and it matches the Origin's host whatever its scheme and port,
 * as Django ignores the port. Use it to keep one list for the Host check of your HTTP framework
 * and for WebSocket origins; use `originValidator` to pin schemes and ports. An entry with a
 * scheme, port or path throws WsgateError `INVALID_OPTION`. Refusals, logging and HTTP scopes
 * are as in `originValidator`.
 *
 * @example
 * const allowedHosts = ['example.com', '.example.com', 'localhost', '127.0.0.1', '[::1]'];
 * const app = allowedHostsOriginValidator(authMiddlewareStack(router, auth), allowedHosts);
 */
export function allowedHostsOriginValidator<S extends Scope>(
  inner: Application<S>,
  hosts: readonly string[],
  options: OriginValidatorOptions = {},
): Application<S> {
  return guardOrigin(inner, hosts, compileHostPattern, 'allowed hosts', options);
}
