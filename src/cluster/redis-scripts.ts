import { createHash } from 'node:crypto';

/**
 * A Lua script run atomically by Redis, with its SHA-1 so that it is sent in full only when the
 * server does not know it yet (first use, or after a Redis restart emptied its script cache).
 */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** A script and its SHA-1. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Takes a ticket for a lock. KEYS: queue (ZSET token -> ticket), counter, the token's lease key.
 * ARGV: token, lease ms, ms the queue and counter outlive their last use.
 * The ticket is never below the queue's last one, so a counter that expired or a Redis that
 * restarted cannot put a newcomer ahead of waiters still queued.
 */
export const LOCK_ENQUEUE = lua(`
local ticket = redis.call('INCR', KEYS[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) >= ticket then
  ticket = tonumber(last[2]) + 1
  redis.call('SET', KEYS[2], ticket)
end
redis.call('ZADD', KEYS[1], ticket, ARGV[1])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return ticket
`);

/**
 * Whether the token heads the queue (then it holds the lock). Heads whose lease key lapsed
 * (their instance died) are removed on the way, and the new head is told.
 * KEYS: queue. ARGV: lease key prefix, token, lease ms, notice channel.
 * Returns 1 (holds), 0 (waits) or -1 (its ticket is gone: it must queue again).
 */
export const LOCK_TRY_HEAD = lua(`
local removed = false
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not head then break end
  if head == ARGV[2] then
    redis.call('SET', ARGV[1] .. head, head, 'PX', ARGV[3])
    return 1
  end
  if redis.call('EXISTS', ARGV[1] .. head) == 1 then
    if removed then redis.call('PUBLISH', ARGV[4], head) end
    break
  end
  redis.call('ZREM', KEYS[1], head)
  removed = true
end
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
return -1
`);

/** Extends a ticket's lease (and the queue's). KEYS: queue, counter, lease key. ARGV: lease ms, queue ms. 1, or 0 when the lease had lapsed. */
export const LOCK_RENEW = lua(`
if redis.call('PEXPIRE', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`);

/**
 * Gives a ticket back and tells the next in line (only it: waking every waiter would make each
 * release cost as many scripts as there are waiters). KEYS: queue, counter, lease key.
 * ARGV: token, notice channel.
 */
export const LOCK_RELEASE = lua(`
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[3])
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if head then
  redis.call('PUBLISH', ARGV[2], head)
else
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
`);

/**
 * Takes or keeps a role. KEYS: role key. ARGV: campaign id, lease ms, whether the caller leads now
 * ('1') or campaigns ('0'). A leader keeps the role only while the key is still its own (a lapsed
 * lease means somebody else may have led meanwhile: it steps down); a campaigner takes a free
 * role, or its own key back after a blip in which it stepped down. 1 leads, 0 does not.
 */
export const ELECT = lua(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if ARGV[3] == '0' and not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`);

/** Deletes a role's key if it is still the caller's. KEYS: role key. ARGV: campaign id. */
export const RESIGN = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Redis's clock in ms, so that instances with skewed clocks agree on windows and heartbeats. */
const REDIS_NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * One event in a sliding window. KEYS: window ZSET. ARGV: window ms, limit, unique member.
 * Returns {1, 0} when counted, {0, retryAfterMs} when refused (not counted).
 */
export const CONSUME = lua(`
${REDIS_NOW}
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = tonumber(oldest[2]) + window - now
  if wait < 1 then wait = 1 end
  return {0, wait}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`);

/** An instance's heartbeat: its expiry in the members ZSET, the dead pruned. KEYS: members. ARGV: id, lease ms. */
export const HEARTBEAT = lua(`
${REDIS_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
`);

/** The instances whose heartbeat has not expired. KEYS: members. */
export const LIVE_MEMBERS = lua(`
${REDIS_NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
`);
