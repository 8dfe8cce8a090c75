import { fc } from '@fast-check/vitest';
import { assert } from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SharedRedis } from '../../../server/shared-state/redis-connection.ts';
import { RedisCommitPokes } from '../../../server/shared-state/redis-commit-pokes.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.ts';

const prefix = uniqueRedisPrefix();
const opened: Array<{ redis: SharedRedis; pokes: RedisCommitPokes }> = [];
afterEach(async () => {
  for (const { redis, pokes } of opened.splice(0)) {
    await pokes.close();
    await redis.close();
  }
});
afterAll(() => dropRedisPrefix(prefix));

/** An instance: its own connections to the real Redis, its pokes, and what it heard. */
async function instance(logs: string[] = []) {
  const redis = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
  const pokes = new RedisCommitPokes(redis, (l) => logs.push(l));
  opened.push({ redis, pokes });
  const heard: number[] = [];
  const waiters: Array<() => void> = [];
  await pokes.subscribe((head) => {
    heard.push(head);
    for (const w of waiters.splice(0)) w();
  });
  /** Resolves once `head` was heard (pub/sub keeps one publisher's order, so everything before it arrived too). */
  const hears = (head: number) =>
    new Promise<void>((resolve) => {
      const look = () => (heard.includes(head) ? resolve() : waiters.push(look));
      look();
    });
  return { redis, pokes, heard, hears, logs };
}

/** A number no poke carries: a double that is not a whole number ≥ 0 (0 and -0 are both written "0", a real head). */
const notAHead = fc.double().filter((d) => !(Number.isInteger(d) && d >= 0));

describe('RedisCommitPokes', () => {
  it('every other instance hears a poke, in order; the publisher does not hear itself', async () => {
    const a = await instance();
    const b = await instance();
    const c = await instance();
    a.pokes.publish(5);
    a.pokes.publish(6);
    b.pokes.publish(7);
    await Promise.all([b.hears(6), c.hears(6), c.hears(7), a.hears(7)]);
    expect(b.heard).toEqual([5, 6]);
    expect(c.heard.filter((h) => h <= 6)).toEqual([5, 6]);
    expect(a.heard).toEqual([7]);
    await expect(a.pokes.subscribe(() => {})).rejects.toThrow(/one subscription per instance/);
  });

  it('whatever else is published on the channel is ignored and logged, and pokes keep flowing', async () => {
    const logs: string[] = [];
    const b = await instance(logs);
    const a = await instance();
    const channel = b.redis.key('change-log');
    let next = 1;
    await assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.record({ from: fc.string(), head: fc.oneof(notAHead, fc.integer({ max: -1 }), fc.string()) }).map((o) => JSON.stringify(o)),
        ),
        async (garbage) => {
          const head = next++;
          const before = b.heard.length;
          await a.redis.client.publish(channel, garbage);
          a.pokes.publish(head);
          await b.hears(head);
          expect(b.heard.slice(before)).toEqual([head]);
        },
      ),
      { numRuns: 40 },
    );
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((l) => l.startsWith('commit pokes: ignored a message that is not a poke'))).toBe(true);
  });

  it('publishing without a connection is one log line, never a throw', async () => {
    const logs: string[] = [];
    const a = await instance(logs);
    a.redis.client.destroy();
    a.pokes.publish(1);
    a.pokes.publish(2);
    await new Promise<void>((resolve) => {
      const look = () => (logs.length ? resolve() : setImmediate(look));
      look();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(logs).toEqual([expect.stringMatching(/^commit pokes: could not publish \(.+\); other instances catch up by their periodic check$/)]);
  });
});
