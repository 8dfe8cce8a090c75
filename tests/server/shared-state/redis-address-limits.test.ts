import { assert } from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisAddressLimits } from '../../../server/shared-state/redis-address-limits.ts';
import { addressLimitsContract, sameAnswersAsInProcess } from '../support/address-limits-contract.ts';
import { openTestRedis, uniqueRedisPrefix } from '../support/redis.ts';

let redis: Awaited<ReturnType<typeof openTestRedis>>;
beforeAll(async () => {
  redis = await openTestRedis();
});
afterAll(async () => {
  await redis.drop();
});

/** Each case its own namespace of the real Redis. */
const fresh = () => redis.within(uniqueRedisPrefix());

addressLimitsContract('Redis', async (rates, clock) => new RedisAddressLimits(fresh(), rates, clock));

describe('RedisAddressLimits', () => {
  it('answers every generated sequence of takes and waits exactly as the in-memory buckets', async () => {
    await assert(sameAnswersAsInProcess(async (rates, clock) => new RedisAddressLimits(fresh(), rates, clock)), { numRuns: 60 });
  });
});
