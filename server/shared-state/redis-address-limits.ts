import { createHash } from 'node:crypto';
import { rateOf, type AddressLimits, type IpLimitKind, type Rate } from '../webchat/limits.ts';
import type { SharedRedis } from './redis-connection.ts';
import { LUA_STORE_NUMBER, RedisScript } from './redis-script.ts';

/** A day: how long an empty bucket that never refills (perMinute 0) is remembered. */
const NO_REFILL_TTL_MS = 86_400_000;

/**
 * The token bucket of server/sync/rate-limit.ts in one atomic script: refill since the last take, then take
 * one if there is one. KEYS: the bucket. ARGV: now, tokens per second, burst
 * (the arithmetic in TokenBucket's order, so both answer alike to the last bit). Answers 1 (taken) or 0 (over the
 * limit). The key expires once the bucket would be full again: a full bucket and no bucket are the same.
 */
const TAKE = new RedisScript(`${LUA_STORE_NUMBER}
local now, perSecond, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if state[1] then tokens = math.min(burst, tonumber(state[1]) + (math.max(0, now - tonumber(state[2])) / 1000) * perSecond) end
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', num(tokens), 'at', num(now))
local ttl = ${NO_REFILL_TTL_MS}
if perSecond > 0 then ttl = math.ceil((burst - tokens) / perSecond * 1000) + 1000 end
redis.call('PEXPIRE', KEYS[1], ttl)
return taken
`);

/**
 * Web chat per-address limits shared by every instance through Redis. Times come from the instance's clock,
 * as in RedisSignInThrottle. Redis down: the take fails, and the request or frame is refused with an error.
 */
export class RedisAddressLimits implements AddressLimits {
  constructor(
    private readonly redis: SharedRedis,
    private readonly rates: Partial<Record<IpLimitKind, Rate>> = {},
    private readonly clock: () => number = Date.now,
  ) {}

  async take(kind: IpLimitKind, address: string): Promise<boolean> {
    const rate = rateOf(this.rates, kind);
    const key = this.redis.key('webchat', kind, createHash('sha256').update(address).digest('base64url'));
    const taken = await TAKE.run(this.redis.client, [key], [this.clock(), rate.perMinute / 60, rate.burst]);
    return taken === 1;
  }
}
