import { assert } from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisSignInThrottle } from '../../../server/shared-state/redis-sign-in-throttle.ts';
import { openTestRedis, uniqueRedisPrefix } from '../support/redis.ts';
import { sameAnswersAsInProcess, signInThrottleContract } from '../support/sign-in-throttle-contract.ts';

let redis: Awaited<ReturnType<typeof openTestRedis>>;
beforeAll(async () => {
  redis = await openTestRedis();
});
afterAll(async () => {
  await redis.drop();
});

/** Each case its own namespace of the real Redis, so cases never see each other's counters. */
const fresh = () => redis.within(uniqueRedisPrefix());

signInThrottleContract('Redis', async (policy, clock) => new RedisSignInThrottle(fresh(), policy, clock));

describe('RedisSignInThrottle', () => {
  it('answers every generated sequence of failures, successes and waits exactly as the in-memory one', async () => {
    await assert(sameAnswersAsInProcess(async (policy, clock) => new RedisSignInThrottle(fresh(), policy, clock)), { numRuns: 60 });
  });
});
