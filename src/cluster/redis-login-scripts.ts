import { lua } from './redis-scripts';

/*
 * The shared login limiter's scripts. KEYS (all): the (account, address) pair's window, the
 * address's window, the account's window, the pair's "known" key (time of its last success).
 * A window is a ZSET of slots (unique members) scored by the time they were counted.
 */

/**
 * Checks the three windows and, when none is full, reserves one slot in each.
 * ARGV: now, window ms, max per pair, max per address, max per account, slot, known-for ms.
 * Returns {1} (reserved) or {0, index of the limit (1 pair, 2 address, 3 account), wait ms}: the
 * longest wait of the full windows, the first of them on a tie. A pair where the account
 * succeeded within known-for ms is exempt from the account's window.
 */
export const LOGIN_ATTEMPT = lua(`
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}
local knownAt = redis.call('GET', KEYS[4])
local known = knownAt and tonumber(knownAt) > now - tonumber(ARGV[7])
local worst, worstWait = 0, 0
for i = 1, 3 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if not (i == 3 and known) then
    local count = redis.call('ZCARD', KEYS[i])
    if count >= limits[i] then
      local slot = redis.call('ZRANGE', KEYS[i], count - limits[i], count - limits[i], 'WITHSCORES')
      local wait = tonumber(slot[2]) + window - now
      if wait > worstWait then worst, worstWait = i, wait end
    end
  end
end
if worst > 0 then return {0, worst, worstWait} end
for i = 1, 3 do
  redis.call('ZADD', KEYS[i], now, ARGV[6])
  -- Only the newest slots up to the limit decide when the key is free again.
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(limits[i] + 1))
  redis.call('PEXPIRE', KEYS[i], window)
end
return {1}
`);

/** The password was right: the slot is released, the pair's failures forgotten, the pair known. ARGV: slot, now, known-for ms. */
export const LOGIN_SUCCEED = lua(`
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[4], ARGV[2], 'PX', ARGV[3])
return 1
`);

/** Nothing was verified: the slot is released. ARGV: slot. */
export const LOGIN_RELEASE = lua(`
for i = 1, 3 do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`);
