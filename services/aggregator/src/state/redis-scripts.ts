// Lua scripts of `RedisAggregateStore`. Every key a script touches carries the partition's hash tag
// ({agg-p<N>}), so a script stays within one slot, also on Redis Cluster. Keys that are only known
// inside a script (windows that became due, dirty windows) are built from the same tagged prefix.
// Numbers are stored as the strings JavaScript wrote (exact); the only arithmetic here is the
// firing-watermark and early-firing rule that `LoadResult` documents (`windows/store.ts`), which the
// in-memory store of the tests computes in TypeScript; the store contract tests hold both to it.

const META_DEFAULTS = `
local NONE = -9007199254740991
local function meta_of(key)
  local flat = redis.call('HGETALL', key)
  local m = {}
  for i = 1, #flat, 2 do m[flat[i]] = flat[i + 1] end
  return m, flat
end
local function num(value, default)
  if value == false or value == nil then return default end
  return tonumber(value)
end
local function fmt(n) return string.format('%.17g', n) end
`

/**
 * KEYS[1] meta. ARGV: generation, now, resetAfter. Takes a new epoch (the fencing token of loads and
 * commits) unless a newer generation holds the partition. Returns the meta as a flat HGETALL list.
 */
export const CLAIM_LUA = `${META_DEFAULTS}
local m = meta_of(KEYS[1])
local generation = tonumber(ARGV[1])
local held = num(m.generation, 0)
if generation < held and tonumber(ARGV[2]) - num(m.writtenAt, 0) <= tonumber(ARGV[3]) then
  return redis.error_reply('FENCED partition is held by generation ' .. m.generation)
end
redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'writtenAt', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
local _, flat = meta_of(KEYS[1])
return flat
`

/**
 * KEYS: meta, timers, dirty, outbox, then the requested windows. ARGV: window key prefix, epoch,
 * batch max event time, others' watermark, out-of-orderness, early-fire interval, now, first offset,
 * idle flag ('1': the own watermark does not hold the windows back).
 * Returns { meta, firing watermark, requested states, due ids, due states, dirty ids | false,
 * dirty states, outbox | false }.
 */
export const LOAD_LUA = `${META_DEFAULTS}
local m, flat = meta_of(KEYS[1])
if num(m.epoch, 0) ~= tonumber(ARGV[2]) then
  return redis.error_reply('FENCED partition is held by claim ' .. tostring(m.epoch))
end
local prefix = ARGV[1]
local max_event = math.max(num(m.maxEventTime, NONE), tonumber(ARGV[3]))
local own = NONE
if max_event ~= NONE then own = max_event - tonumber(ARGV[5]) end
if ARGV[9] == '1' then own = -NONE end
local fire = math.max(num(m.fireWatermark, NONE), math.min(own, tonumber(ARGV[4])))
local requested = {}
for i = 5, #KEYS do requested[i - 4] = redis.call('GET', KEYS[i]) end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', fmt(fire))
local due_states = {}
for i, id in ipairs(due) do due_states[i] = redis.call('GET', prefix .. id) end
local dirty = false
local dirty_states = {}
local interval = tonumber(ARGV[6])
if interval > 0 and tonumber(ARGV[7]) - num(m.earlyFiredAt, 0) >= interval then
  dirty = redis.call('SMEMBERS', KEYS[3])
  for i, id in ipairs(dirty) do dirty_states[i] = redis.call('GET', prefix .. id) end
end
local outbox = false
if m.groupFrom and tonumber(m.groupFrom) == tonumber(ARGV[8]) then outbox = redis.call('GET', KEYS[4]) end
return { flat, fmt(fire), requested, due, due_states, dirty, dirty_states, outbox }
`

/**
 * KEYS: meta, timers, dirty, outbox, then window and user-index keys referenced by position.
 * ARGV (read in order): epoch, expected version, now, retention ms, meta pairs (count, then
 * field/value), windows to store (count, then key index, JSON, index key index or 0, start, id), final
 * windows (same), timers (count, then score/id), cancelled timers (count, ids), dirty clear flag,
 * dirty removals (count, ids), dirty additions (count, ids), outbox flag ('1': set it) and bytes, tick
 * key index (0: none) and bytes.
 */
export const COMMIT_LUA = `${META_DEFAULTS}
local m = meta_of(KEYS[1])
local at = 1
local function nxt() local v = ARGV[at]; at = at + 1; return v end
local epoch = nxt()
if m.epoch ~= epoch then
  return redis.error_reply('FENCED partition is held by claim ' .. tostring(m.epoch))
end
local expected = tonumber(nxt())
if num(m.version, 0) ~= expected then
  return redis.error_reply('CONFLICT partition is at version ' .. tostring(m.version or 0))
end
local now = nxt()
local retention = tonumber(nxt())
local pairs_n = tonumber(nxt())
for _ = 1, pairs_n do
  local field = nxt()
  redis.call('HSET', KEYS[1], field, nxt())
end
redis.call('HSET', KEYS[1], 'version', tostring(expected + 1), 'writtenAt', now)
-- One window: key index, JSON, index key index, start, id (one statement each: Lua leaves the
-- evaluation order of a multiple assignment undefined).
-- An index key position of 0: the window is already in its user's index.
local function window()
  local key = KEYS[tonumber(nxt())]
  local json = nxt()
  local index = KEYS[tonumber(nxt())]
  local start = nxt()
  return key, json, index, start, nxt()
end
for _ = 1, tonumber(nxt()) do
  local key, json, index, start, id = window()
  redis.call('SET', key, json)
  if index then redis.call('ZADD', index, start, id) end
end
for _ = 1, tonumber(nxt()) do
  local key, json, index, start, id = window()
  if retention > 0 then
    redis.call('SET', key, json, 'PX', retention)
    if index then redis.call('ZADD', index, start, id) end
  else
    redis.call('DEL', key)
    if index then redis.call('ZREM', index, id) end
  end
end
for _ = 1, tonumber(nxt()) do
  local score = nxt()
  redis.call('ZADD', KEYS[2], score, nxt())
end
for _ = 1, tonumber(nxt()) do redis.call('ZREM', KEYS[2], nxt()) end
if nxt() == '1' then redis.call('DEL', KEYS[3]) end
for _ = 1, tonumber(nxt()) do redis.call('SREM', KEYS[3], nxt()) end
for _ = 1, tonumber(nxt()) do redis.call('SADD', KEYS[3], nxt()) end
local set_outbox = nxt()
local outbox = nxt()
if set_outbox == '1' then redis.call('SET', KEYS[4], outbox) end
local tick_key = KEYS[tonumber(nxt())]
local tick = nxt()
if tick_key then redis.call('SET', tick_key, tick) end
return expected + 1
`

/**
 * KEYS[1] a user's window index. ARGV: window key prefix, min start, max start (exclusive, as
 * '(' bound). Returns id/JSON pairs; index entries of expired windows are removed on the way.
 */
export const QUERY_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3])
local out = {}
for _, id in ipairs(ids) do
  local json = redis.call('GET', ARGV[1] .. id)
  if json then
    out[#out + 1] = id
    out[#out + 1] = json
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`
