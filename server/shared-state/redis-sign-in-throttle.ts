import { createHash } from 'node:crypto';
import {
  throttlePairKey,
  type SignInThrottle,
  type SignInThrottlePolicy,
  type ThrottleAttempt,
  type ThrottleRefusal,
} from '../domain/sign-in-throttle.ts';
import type { SharedRedis } from './redis-connection.ts';
import { LUA_STORE_NUMBER, RedisScript } from './redis-script.ts';

/**
 * The policy of InProcessSignInThrottle (server/domain/sign-in-throttle.ts), step for step, in one atomic
 * script: check the pair's lock, refill and check the address bucket, then count the failure on both.
 * KEYS: pair, address. ARGV: now, accountFailures, lockoutMs, maxLockoutMs, forgetAfterMs, addressBurst,
 * addressRefillMs. Answers {0} (let through), {1, wait} (account locked) or {2, wait} (address out of tokens).
 * Keys expire when the in-memory version would forget them (a pair after its lock and forget time, an
 * address once its bucket is full again), plus a second's slack; that is what bounds Redis memory.
 */
const ATTEMPT = new RedisScript(`${LUA_STORE_NUMBER}
local now = tonumber(ARGV[1])
local accountFailures, lockoutMs, maxLockoutMs = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local forgetAfterMs, burst, refillMs = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local pair = redis.call('HMGET', KEYS[1], 'failures', 'last', 'locked')
local failures, last, locked = tonumber(pair[1]), tonumber(pair[2]), tonumber(pair[3])
if failures and locked <= now and now - last >= forgetAfterMs then failures = nil end
if failures and locked > now then return {1, locked - now} end
local address = redis.call('HMGET', KEYS[2], 'tokens', 'at')
local tokens = burst
if address[1] then tokens = math.min(burst, tonumber(address[1]) + math.max(0, now - tonumber(address[2])) / refillMs) end
if tokens < 1 then return {2, math.ceil((1 - tokens) * refillMs)} end
tokens = tokens - 1
redis.call('HSET', KEYS[2], 'tokens', num(tokens), 'at', num(now))
redis.call('PEXPIRE', KEYS[2], math.ceil((burst - tokens) * refillMs) + 1000)
failures = (failures or 0) + 1
local lockedUntil = 0
local over = failures - accountFailures
if over >= 0 then lockedUntil = now + math.min(maxLockoutMs, lockoutMs * 2 ^ math.min(over, 30)) end
redis.call('HSET', KEYS[1], 'failures', failures, 'last', num(now), 'locked', num(lockedUntil))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(lockedUntil - now, forgetAfterMs)) + 1000)
return {0}
`);

/** Success: the pair's failures are forgotten and the address gets its token back. KEYS: pair, address. ARGV: burst. */
const SUCCEEDED = new RedisScript(`${LUA_STORE_NUMBER}
redis.call('DEL', KEYS[1])
local tokens = redis.call('HGET', KEYS[2], 'tokens')
if tokens then redis.call('HSET', KEYS[2], 'tokens', num(math.min(tonumber(ARGV[1]), tonumber(tokens) + 1))) end
return 1
`);

/** Hashed so a key's length does not depend on what a client typed. */
const digest = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * Failed sign-ins counted in Redis, shared by every instance. Times come from the instance's clock (the
 * same clock as sessions and records; instances keep theirs in step with NTP), so tests can move time.
 * Redis down: the attempt fails (the sign-in answers 500 and is logged) rather than going unthrottled.
 */
export class RedisSignInThrottle implements SignInThrottle {
  constructor(
    private readonly redis: SharedRedis,
    private readonly policy: SignInThrottlePolicy,
    private readonly clock: () => number,
  ) {}

  async attempt(email: string, address: string): Promise<ThrottleRefusal | ThrottleAttempt> {
    const keys = [this.redis.key('sign-in', 'pair', digest(throttlePairKey(email, address))), this.redis.key('sign-in', 'address', digest(address))];
    const p = this.policy;
    const answer = (await ATTEMPT.run(this.redis.client, keys, [
      this.clock(),
      p.accountFailures,
      p.lockoutMs,
      p.maxLockoutMs,
      p.forgetAfterMs,
      p.addressBurst,
      p.addressRefillMs,
    ])) as [number, number?];
    if (answer[0] === 1) return { refused: true, scope: 'account', retryAfterMs: Number(answer[1]) };
    if (answer[0] === 2) return { refused: true, scope: 'address', retryAfterMs: Number(answer[1]) };
    let settled = false;
    return {
      refused: false,
      succeeded: async () => {
        if (settled) return;
        settled = true;
        await SUCCEEDED.run(this.redis.client, keys, [p.addressBurst]);
      },
    };
  }
}
