import type { Header, HostPort } from '@wsgate/shared';
import { WsgateError } from '../errors.js';

/** The scope fields both communicators build the same way from a path and headers. */
export interface TestScopeBase {
  readonly path: string;
  readonly rawPath: string;
  readonly queryString: string;
  readonly headers: readonly Header[];
  /** True for a `wss://` or `https://` target. */
  readonly secure: boolean;
  readonly client: HostPort;
  readonly server: null;
}

const schemeAndAuthority = /^([a-z][a-z\d+.-]*):\/\/[^/?#]*/i;

// Each communicator is a distinct client, as separate sockets would be.
let nextClientPort = 49152;

/**
 * Splits a test target (`/chat/?room=1`, or a whole URL such as `wss://host/chat/`) into the
 * scope's path fields, as a server would from the request line.
 */
export function testScopeBase(target: string, headers: readonly Header[] = []): TestScopeBase {
  let rest = target;
  let secure = false;
  const prefix = schemeAndAuthority.exec(target);
  if (prefix) {
    const scheme = (prefix[1] ?? '').toLowerCase();
    secure = scheme === 'wss' || scheme === 'https';
    rest = target.slice(prefix[0].length);
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const rawPath = (question === -1 ? rest : rest.slice(0, question)) || '/';
  const queryString = question === -1 ? '' : rest.slice(question + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch (error) {
    throw new WsgateError(
      'INVALID_OPTION',
      `the test path ${JSON.stringify(rawPath)} has a malformed percent-escape; ` +
        'encode it with encodeURI() or fix the escape.',
      { cause: error },
    );
  }
  const port = nextClientPort;
  nextClientPort = nextClientPort === 65535 ? 49152 : nextClientPort + 1;
  return {
    path,
    rawPath,
    queryString,
    // Scope headers carry lower-case names, whatever the test wrote.
    headers: headers.map(([name, value]) => [name.toLowerCase(), value] as const),
    secure,
    client: ['127.0.0.1', port],
    server: null,
  };
}
