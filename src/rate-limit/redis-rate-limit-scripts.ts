/*
 * The Redis store's two operations, one Lua script each, so an admission reads and counts every
 * limit of a call with nothing in between, across any number of instances.
 *
 * KEYS[i] is limit i's window: a hash from epoch second to the amount admitted in it, expiring a
 * little after its newest second leaves the window. The clock is Redis's own (TIME), so instances
 * whose clocks disagree still share one window. Seconds count for 60 to 61 s (sliding-window.ts).
 */

const prelude = `
local slots = 61
local function int(x) return string.format('%d', x) end
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local second = math.floor(nowMs / 1000)
`;

/**
 * ARGV: per key, limit and amount. Returns `{1, second}` when counted, else `{0, index, waitMs}`
 * (1-based index of the limit that waits longest; waitMs -1 when it never fits).
 */
const admit = `${prelude}
local refused, longest = 0, 0
for i, key in ipairs(KEYS) do
  local limit, amount = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local fields = redis.call('HGETALL', key)
  local total, live, stale = 0, {}, {}
  for j = 1, #fields, 2 do
    local at, count = tonumber(fields[j]), tonumber(fields[j + 1])
    if second - at >= slots then stale[#stale + 1] = fields[j]
    else
      total = total + count
      live[#live + 1] = { at, count }
    end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  if total + amount > limit then
    local wait = -1
    if amount <= limit then
      table.sort(live, function(a, b) return a[1] < b[1] end)
      local need, freed = total + amount - limit, 0
      for _, slot in ipairs(live) do
        freed = freed + slot[2]
        if freed >= need then
          wait = (slot[1] + slots) * 1000 - nowMs
          break
        end
      end
    end
    if refused == 0 or (longest ~= -1 and (wait == -1 or wait > longest)) then
      refused, longest = i, wait
    end
  end
end
if refused > 0 then return { 0, refused, longest } end
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, int(second), int(tonumber(ARGV[2 * i])))
  redis.call('PEXPIRE', key, (slots + 1) * 1000)
end
return { 1, second }
`;

/** ARGV[1]: the second admitted in; then per key, the change. Only a second still held is touched. */
const adjust = `${prelude}
local at = ARGV[1]
for i, key in ipairs(KEYS) do
  if second - tonumber(at) < slots and redis.call('HEXISTS', key, at) == 1 then
    local after = redis.call('HINCRBY', key, at, int(tonumber(ARGV[i + 1])))
    if after < 0 then redis.call('HSET', key, at, 0) end
  end
end
return 1
`;

export const rateLimitScripts = {
  llmkitRateLimitAdmit: { lua: admit },
  llmkitRateLimitAdjust: { lua: adjust },
} as const;

export type RateLimitScriptName = keyof typeof rateLimitScripts;
