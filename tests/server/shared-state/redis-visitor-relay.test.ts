import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SharedRedis } from '../../../server/shared-state/redis-connection.ts';
import { RedisVisitorRelay } from '../../../server/shared-state/redis-visitor-relay.ts';
import { InProcessVisitorRelay, type VisitorPush, type VisitorRelay } from '../../../server/webchat/visitor-relay.ts';
import { dropRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis.ts';

const push = (id: string): VisitorPush => ({ type: 'message', message: { id, from: 'agent', body: `reply ${id}`, attachments: [], createdAt: 1 } });
const alice = { channelId: 'ch_sales_web', handle: 'visitor-00000000000000aa' };
const bob = { channelId: 'ch_sales_web', handle: 'visitor-00000000000000bb' };

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** One behaviour for every implementation: `instances(n)` gives n relays that reach each other. */
function relayBehaviour(name: string, instances: (n: number) => Promise<VisitorRelay[]>): void {
  describe(`visitor relay: ${name}`, () => {
    it('a push reaches the visitor’s sockets on the other instance, and the count comes back', async () => {
      const [a, b] = (await instances(2)) as [VisitorRelay, VisitorRelay];
      const onB: VisitorPush[] = [];
      await b.join(alice, (frame) => (onB.push(frame), 2)); // two tabs on B
      expect(await a.push(alice, push('m1'))).toBe(2);
      expect(onB).toEqual([push('m1')]);
      // Nobody holds Bob: answered at once with 0.
      expect(await a.push(bob, push('m2'))).toBe(0);
      expect(onB).toEqual([push('m1')]);
    });

    it('after leaving, a visitor is no longer reached there; the pusher’s own sockets are not counted twice', async () => {
      const [a, b, c] = (await instances(3)) as [VisitorRelay, VisitorRelay, VisitorRelay];
      const seen = { a: 0, b: 0, c: 0 };
      await a.join(alice, () => (seen.a += 1, 1));
      await b.join(alice, () => (seen.b += 1, 1));
      await c.join(bob, () => (seen.c += 1, 1));
      expect(await a.push(alice, push('m1'))).toBe(1); // B's tab; A delivers to its own itself
      expect(seen).toEqual({ a: 0, b: 1, c: 0 });
      await b.leave(alice);
      expect(await a.push(alice, push('m2'))).toBe(0);
      expect(await c.push(alice, push('m3'))).toBe(1); // A still holds Alice
      expect(seen).toEqual({ a: 1, b: 1, c: 0 });
    });
  });
}

const bus = () => new Set<InProcessVisitorRelay>();
relayBehaviour('in-process', async (n) => {
  const shared = bus();
  const relays = Array.from({ length: n }, () => new InProcessVisitorRelay(shared));
  closers.push(async () => void (await Promise.all(relays.map((r) => r.close()))));
  return relays;
});

const prefix = uniqueRedisPrefix();
afterAll(() => dropRedisPrefix(prefix));

async function redisInstance(logs: string[] = [], answerTimeoutMs?: number): Promise<{ relay: RedisVisitorRelay; redis: SharedRedis }> {
  const redis = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
  const relay = new RedisVisitorRelay(redis, (l) => logs.push(l), answerTimeoutMs);
  await relay.start();
  closers.push(async () => {
    await relay.close();
    await redis.close();
  });
  return { relay, redis };
}

relayBehaviour('Redis', async (n) => {
  const out: VisitorRelay[] = [];
  for (let i = 0; i < n; i++) out.push((await redisInstance()).relay);
  return out;
});

describe('visitor relay: Redis only', () => {
  it('ignores and logs what is not a push or a reply, and keeps relaying', async () => {
    const logs: string[] = [];
    const a = await redisInstance();
    const b = await redisInstance(logs);
    const onB: VisitorPush[] = [];
    await b.relay.join(alice, (f) => (onB.push(f), 1));
    const channel = b.redis.key('webchat', 'visitor', alice.channelId, alice.handle);
    for (const junk of ['not json', '{}', JSON.stringify({ id: 'x', replyTo: 'y', frame: { type: 'welcome' } })]) await a.redis.client.publish(channel, junk);
    expect(await a.relay.push(alice, push('m1'))).toBe(1);
    expect(onB).toEqual([push('m1')]);
    expect(logs.filter((l) => l.includes('not a push'))).toHaveLength(3);
  });

  it('an instance that received the push but never answers (it died) is waited for only so long', async () => {
    const a = await redisInstance([], 300);
    const b = await redisInstance();
    await b.relay.join(alice, () => 1);
    // A second holder that never answers: a bare subscription on the visitor's channel.
    const silent = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
    closers.push(() => silent.close());
    await silent.subscriber.subscribe(b.redis.key('webchat', 'visitor', alice.channelId, alice.handle), () => {});
    expect(await a.relay.push(alice, push('m1'))).toBe(1);
  });
});
