import { createHash } from 'node:crypto';

/**
 * A Lua script run by its SHA1 (EVALSHA), so each call sends a few bytes rather than the
 * source; the source goes again only when Redis has forgotten it (after a restart).
 */
export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

/**
 * @example
 * const incr = luaScript("return redis.call('INCR', KEYS[1])");
 * await connection.script(incr, ['counter'], []);
 */
export function luaScript(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}
