/**
 * RedisChannelLayer's Lua scripts. Each runs atomically in one round trip, as channels_redis'
 * group send does. Keys (prefix `P`):
 *
 *   P:channel:<name>   list of entries `<expiresAt ms>:<JSON>`, oldest first; its TTL covers
 *                      the newest entry's (by at most a tenth more), so an abandoned channel
 *                      vanishes
 *   P:group:<group>    sorted set of channel names scored by join time (ms)
 *   P:inbox:<process>  list of channel names: the "doorbell" of one layer instance, rung with
 *                      every message for one of its process-local channels
 *
 * A process-local channel is named `<prefix>.<process>!<random>`; `%.([^.!]+)!` finds the
 * process, as the layer's `ownerOf` does.
 */
import { luaScript } from './lua-script.js';

/** Shared functions, prepended to the scripts that push messages. */
const pushing = `
-- Makes key live at least ms more. It is set a tenth longer than asked, so the pushes that
-- follow within that tenth need no PEXPIRE (the costliest call of a group send's per-member
-- work); a key thus outlives its newest entry by at most a tenth of the expiry.
local function extend(key, ms)
  if redis.call('PTTL', key) < tonumber(ms) then
    redis.call('PEXPIRE', key, math.ceil(tonumber(ms) * 1.1))
  end
end

local function expires_at(entry)
  return tonumber(string.match(entry, '^(%d+):')) or 0
end

-- Appends entry unless the channel holds capacity live entries; expired ones at its head go
-- first, so a channel whose reader left long ago does not refuse fresh messages forever. The
-- push comes first (its reply is the length) and is taken back from a full channel.
local function push(key, entry, capacity, now, expiry)
  if redis.call('RPUSH', key, entry) > capacity then
    redis.call('RPOP', key)
    while true do
      local head = redis.call('LINDEX', key, 0)
      if not head or expires_at(head) > now then break end
      redis.call('LPOP', key)
    end
    if redis.call('LLEN', key) >= capacity then return false end
    redis.call('RPUSH', key, entry)
  end
  extend(key, expiry)
  return true
end
`;

/**
 * KEYS: channel, [inbox]. ARGV: entry, capacity, now, expiry ms, channel name.
 * Returns 1 when queued, 0 when the channel is full.
 */
export const sendScript = luaScript(`${pushing}
local expiry = ARGV[4]
if not push(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), expiry) then return 0 end
if KEYS[2] then
  redis.call('RPUSH', KEYS[2], ARGV[5])
  extend(KEYS[2], expiry)
end
return 1
`);

/**
 * KEYS: group. ARGV: entry, capacity, now, expiry ms, group expiry ms, key prefix.
 * Drops expired memberships, queues the entry on every member with room, rings each owning
 * process's inbox once per batch, and returns the names of the full channels it skipped.
 */
export const groupSendScript = luaScript(`${pushing}
local capacity, now, expiry, prefix = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[6]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[5]))
local skipped, bells = {}, {}
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if push(prefix .. ':channel:' .. name, ARGV[1], capacity, now, expiry) then
    local owner = string.match(name, '%.([^.!]+)!')
    if owner then
      local inbox = prefix .. ':inbox:' .. owner
      bells[inbox] = bells[inbox] or {}
      table.insert(bells[inbox], name)
    end
  else
    table.insert(skipped, name)
  end
end
for inbox, names in pairs(bells) do
  -- In slices: unpack() of thousands of values would overflow Lua's stack.
  for first = 1, #names, 1000 do
    redis.call('RPUSH', inbox, unpack(names, first, math.min(first + 999, #names)))
  end
  extend(inbox, expiry)
end
return skipped
`);

/**
 * KEYS: channel. ARGV: now. Pops the oldest live entry, dropping expired ones before it;
 * returns nil when there is none.
 */
export const popScript = luaScript(`
local now = tonumber(ARGV[1])
while true do
  local entry = redis.call('LPOP', KEYS[1])
  if not entry then return false end
  if (tonumber(string.match(entry, '^(%d+):')) or 0) > now then return entry end
end
`);

/**
 * KEYS: channels. ARGV: now, then how many entries to pop from each channel in KEYS order.
 * Pops up to that many live entries from each, dropping expired ones before them, and returns
 * per channel `{entries left in its list, {popped entries}}`: the LocalInbox's one round trip
 * for all the channels rung in one batch.
 */
export const popManyScript = luaScript(`
local now = tonumber(ARGV[1])
local popped = {}
for i, key in ipairs(KEYS) do
  local want, got = tonumber(ARGV[i + 1]), {}
  while #got < want do
    local entry = redis.call('LPOP', key)
    if not entry then break end
    if (tonumber(string.match(entry, '^(%d+):')) or 0) > now then got[#got + 1] = entry end
  end
  popped[i] = { redis.call('LLEN', key), got }
end
return popped
`);

/**
 * KEYS: channel, [inbox]. ARGV: entry, channel name, ms the entry has left.
 * Puts back at the head an entry popped for a receive that was cancelled meanwhile.
 */
export const requeueScript = luaScript(`${pushing}
redis.call('LPUSH', KEYS[1], ARGV[1])
extend(KEYS[1], ARGV[3])
if KEYS[2] then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  extend(KEYS[2], ARGV[3])
end
return 1
`);

/**
 * KEYS: group. ARGV: group expiry ms, then join time and channel name pairs.
 * Adds or renews memberships, never moving a join time back (ZADD GT).
 */
export const groupAddScript = luaScript(`
for first = 2, #ARGV, 1000 do
  redis.call('ZADD', KEYS[1], 'GT', unpack(ARGV, first, math.min(first + 999, #ARGV)))
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1
`);
