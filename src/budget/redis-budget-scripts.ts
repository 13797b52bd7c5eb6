/*
 * The Redis store's operations, one Lua script each: Redis runs a script atomically, so a
 * reserve reads and writes every line with nothing in between, across any number of instances.
 *
 * Keys (ARGV[1] is the prefix, default `llmkit:budget:`):
 *   <prefix>line:<line key>          hash spent, reserved, spentTokens, reservedTokens, alert:<threshold>;
 *                                    PEXPIREAT the line's expiresAt, so its alerts go with it
 *   <prefix>reservation:<requestId>  hash state (reserved|settled|expired), lines (JSON [[key, nanos, tokens]])
 *   <prefix>expiring                 sorted set of reserved requestIds by expiresAt: expire is O(log n + k)
 *
 * Keys are built inside the scripts (a settle learns its lines from the reservation), so this
 * needs one Redis server (standalone or Sentinel), not Cluster.
 *
 * Lua numbers are doubles: exact for integers below 2^53 (about $9M in nano-dollars), which
 * store-checks.ts enforces for inputs and which every counter must stay under. Numbers go back to
 * Redis through string.format('%d'), never tostring (which switches to exponents past 1e14).
 */

const prelude = `
local prefix = ARGV[1]
local expiring = prefix .. 'expiring'
local maxSafe = 9007199254740991
local function int(x) return string.format('%d', x) end
local function lineKey(key) return prefix .. 'line:' .. key end
local function recordKey(id) return prefix .. 'reservation:' .. id end

local function counters(key)
  local v = redis.call('HMGET', lineKey(key), 'spent', 'reserved', 'spentTokens', 'reservedTokens')
  return { tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0 }
end

-- A settled or released reservation is kept for the retention only: long enough to recognise a
-- repeated or late settle, short enough not to keep one hash per call for a whole 'total' budget.
local function retire(record, retention)
  local ttl = redis.call('PTTL', record)
  if ttl < 0 or ttl > retention then redis.call('PEXPIRE', record, retention) end
end

-- Only a live line is touched: HINCRBY on an expired key would create it without an expiry.
-- max(0, ...) guards a line that died and came back under the same key (its expiry moved).
local function giveBack(key, nanos, tokens)
  local line = lineKey(key)
  if redis.call('EXISTS', line) == 0 then return end
  local c = counters(key)
  redis.call('HSET', line, 'reserved', int(math.max(0, c[2] - nanos)), 'reservedTokens', int(math.max(0, c[4] - tokens)))
end

local function release(id, retention)
  redis.call('ZREM', expiring, id)
  local record = recordKey(id)
  local fields = redis.call('HMGET', record, 'state', 'lines')
  if fields[1] ~= 'reserved' then return 0 end
  for _, line in ipairs(cjson.decode(fields[2])) do giveBack(line[1], tonumber(line[2]), tonumber(line[3])) end
  redis.call('HSET', record, 'state', 'expired')
  retire(record, retention)
  return 1
end

local function sweep(now, limit, retention)
  local due = redis.call('ZRANGEBYSCORE', expiring, '-inf', now, 'LIMIT', 0, limit)
  local released = 0
  for _, id in ipairs(due) do released = released + release(id, retention) end
  return released, #due
end

local function push(reply, c)
  for j = 1, 4 do reply[#reply + 1] = c[j] end
end
`;

// The admission rule: a line-for-line copy of store-admit.ts, same operations in the same order.
const admit = `
local function fits(line, c, nanos, tokens)
  if line.limitNanos and c[1] + c[2] + nanos > line.limitNanos then return false end
  if line.limitTokens and c[3] + c[4] + tokens > line.limitTokens then return false end
  return true
end

local function firstRefusing(lines, cs, nanos, tokens)
  for i, line in ipairs(lines) do
    if line.hard and not fits(line, cs[i], nanos, tokens) then return line.key end
  end
  return nil
end

local function scaled(amount, tokens, nanos)
  if amount == 0 then return tokens end
  return math.floor(tokens * nanos / amount)
end

local function admit(lines, cs, amount, tokens, minimum)
  local refusedBy = firstRefusing(lines, cs, amount, tokens)
  if not refusedBy then return amount, tokens end
  if not minimum or amount == 0 then return nil, refusedBy end
  local nanos = amount
  for i, line in ipairs(lines) do
    if line.hard then
      local c = cs[i]
      if line.limitNanos then nanos = math.min(nanos, line.limitNanos - c[1] - c[2]) end
      if line.limitTokens and tokens > 0 then
        local room = line.limitTokens - c[3] - c[4]
        nanos = math.min(nanos, math.ceil((room + 1) * amount / tokens) - 1)
      end
    end
  end
  for step = 1, 3 do
    if nanos < minimum then break end
    local t = scaled(amount, tokens, nanos)
    if not firstRefusing(lines, cs, nanos, t) then return nanos, t end
    nanos = nanos - 1
  end
  return nil, firstRefusing(lines, cs, minimum, scaled(amount, tokens, minimum)) or refusedBy
end
`;

/**
 * ARGV: prefix, now, retention, sweep, requestId, amountNanos, tokens, minimumNanos or '', expiresAt,
 * then five per line: key, limitNanos or '', limitTokens or '', hard ('1'/'0'), expiresAt.
 * Returns {'duplicate'}, {0, refusedBy, counters...} or {1, reservedNanos, counters...}.
 */
const reserve = `${prelude}${admit}
local now, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
local id = ARGV[5]
local record = recordKey(id)
if redis.call('EXISTS', record) == 1 then return {'duplicate'} end
sweep(now, tonumber(ARGV[4]), retention)
local amount, tokens, minimum, expiresAt = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local lines, cs = {}, {}
for i = 10, #ARGV, 5 do
  local line = { key = ARGV[i], limitNanos = tonumber(ARGV[i + 1]), limitTokens = tonumber(ARGV[i + 2]),
    hard = ARGV[i + 3] == '1', expiresAt = ARGV[i + 4] }
  lines[#lines + 1] = line
  cs[#cs + 1] = counters(line.key)
end
local nanos, other = admit(lines, cs, amount, tokens, minimum)
local reply
if not nanos then
  reply = {0, other}
else
  local reserved, keep = {}, expiresAt
  for i, line in ipairs(lines) do
    local key = lineKey(line.key)
    redis.call('HINCRBY', key, 'reserved', int(nanos))
    redis.call('HINCRBY', key, 'reservedTokens', int(other))
    redis.call('PEXPIREAT', key, line.expiresAt)
    cs[i] = { cs[i][1], cs[i][2] + nanos, cs[i][3], cs[i][4] + other }
    reserved[i] = { line.key, int(nanos), int(other) }
    keep = math.max(keep, tonumber(line.expiresAt))
  end
  -- The record outlives every line it touches, so a release or settle always finds its amounts.
  redis.call('HSET', record, 'state', 'reserved', 'lines', cjson.encode(reserved))
  redis.call('PEXPIREAT', record, int(math.min(keep + retention, maxSafe)))
  redis.call('ZADD', expiring, ARGV[9], id)
  reply = {1, nanos}
end
for i = 1, #cs do push(reply, cs[i]) end
return reply
`;

/** ARGV: prefix, retention, requestId, nanos, tokens. Returns {key, counters..., key, counters...}, or {} when unknown. */
const settle = `${prelude}
local retention, id = tonumber(ARGV[2]), ARGV[3]
local record = recordKey(id)
local fields = redis.call('HMGET', record, 'state', 'lines')
if not fields[1] then return {} end
local lines = cjson.decode(fields[2])
if fields[1] ~= 'settled' then
  for _, line in ipairs(lines) do
    -- An expired reservation was already given back; its spend is still the truth.
    if fields[1] == 'reserved' then giveBack(line[1], tonumber(line[2]), tonumber(line[3])) end
    local key = lineKey(line[1])
    if redis.call('EXISTS', key) == 1 then
      redis.call('HINCRBY', key, 'spent', ARGV[4])
      redis.call('HINCRBY', key, 'spentTokens', ARGV[5])
    end
  end
  redis.call('ZREM', expiring, id)
  redis.call('HSET', record, 'state', 'settled')
  retire(record, retention)
end
local reply = {}
for _, line in ipairs(lines) do
  reply[#reply + 1] = line[1]
  push(reply, counters(line[1]))
end
return reply
`;

/** ARGV: prefix, now, limit, retention. Returns {released, looked at}. */
const expire = `${prelude}
local released, seen = sweep(tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
return {released, seen}
`;

/** ARGV: prefix, keys... Returns counters for each key, zeros for unknown ones. */
const state = `${prelude}
local reply = {}
for i = 2, #ARGV do push(reply, counters(ARGV[i])) end
return reply
`;

/** ARGV: prefix, key, threshold. 1 for the first claimer of a live line, else 0. */
const claimAlert = `${prelude}
local line = lineKey(ARGV[2])
if redis.call('EXISTS', line) == 0 then return 0 end
return redis.call('HSETNX', line, 'alert:' .. ARGV[3], '1')
`;

export const budgetScripts = {
  llmkitBudgetReserve: { lua: reserve, numberOfKeys: 0 },
  llmkitBudgetSettle: { lua: settle, numberOfKeys: 0 },
  llmkitBudgetExpire: { lua: expire, numberOfKeys: 0 },
  llmkitBudgetState: { lua: state, numberOfKeys: 0, readOnly: true },
  llmkitBudgetClaimAlert: { lua: claimAlert, numberOfKeys: 0 },
} as const;

export type BudgetScriptName = keyof typeof budgetScripts;
