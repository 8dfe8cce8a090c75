import { randomBytes } from 'node:crypto';
import { SharedRedis } from '../../../server/shared-state/redis-connection.ts';

/** The Redis the machines run (README "Running the tests"); SWITCHBOARD_TEST_REDIS_URL overrides it. */
export const TEST_REDIS_URL = process.env.SWITCHBOARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares. */
export const uniqueRedisPrefix = (): string => `sbtest:${randomBytes(6).toString('hex')}:`;

/** Every key under `prefix` deleted (SCAN, never KEYS: other runs share this Redis). */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
  try {
    const doomed: string[] = [];
    for await (const keys of redis.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) doomed.push(...keys);
    if (doomed.length) await redis.client.del(doomed);
  } finally {
    await redis.close();
  }
}

/** A connection under a fresh prefix; close() deletes its keys and disconnects. */
export async function openTestRedis(): Promise<SharedRedis & { drop(): Promise<void> }> {
  const prefix = uniqueRedisPrefix();
  const redis = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
  return Object.assign(redis, {
    drop: async () => {
      await redis.close();
      await dropRedisPrefix(prefix);
    },
  });
}
