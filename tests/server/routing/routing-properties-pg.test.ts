import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { checkRouting, expiresPasses, readState, routingEvent, runEvent, type Sockets } from './routing-history.ts';
import { AGENTS, withTwoInstancesOnPostgres } from './routing-world.ts';

/**
 * The same properties with two server instances on one PostgreSQL schema (two pools, two Domains, no shared
 * memory): events go to either instance, and pairs of them run at the same time, so routing decisions of both
 * instances race on the same queue, agents and conversations.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('a burst on two instances on PostgreSQL', () => {
  it('40 customers arriving at once through both instances while agents log in: each conversation to one agent once, no agent over capacity, nothing waits while someone has room', async () => {
    await withTwoInstancesOnPostgres(db.url, { mode: 'assign', capacity: 3, poolSize: 6 }, async ({ a, b, one, two }) => {
      const before = await readState(a);
      const work: Array<Promise<unknown>> = [];
      AGENTS.forEach((agent, i) => {
        const on = i % 2 ? two : one;
        on.domain.routing.presence.opened(agent);
        work.push(on.domain.routing.settled().then(() => on.apply(agent, { name: 'queue.login', args: { inboxIds: ['queue_rt'] } })));
      });
      for (let i = 0; i < 40; i++) {
        work.push((i % 2 ? two : one).domain.receiveInbound({ channelId: 'ch_rt_sms', from: `+1415555${3000 + i}`, body: 'Hello' }));
      }
      await Promise.all(work);
      const t = await readState(b);
      expect(checkRouting(before, t, new Set(), { concurrent: true })).toEqual([]);
      const assigned = t.conversations.filter((c) => c.assigneeId);
      expect(assigned).toHaveLength(AGENTS.length * 3);
      for (const c of assigned) expect(c.routing?.handledBy).toEqual([c.assigneeId]);
    });
  }, 60_000);
});

describe('routing over generated histories, two instances on PostgreSQL', () => {
  for (const mode of ['assign', 'offer'] as const) {
    it(`${mode} mode: the four properties hold with interleaved events`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(routingEvent, fc.option(routingEvent, { nil: null }), fc.boolean()), { minLength: 4, maxLength: 18 }),
          async (steps) => {
            await withTwoInstancesOnPostgres(db.url, { mode, poolSize: 4 }, async ({ a, b, clock, one, two }) => {
              const sockets: Sockets = new Map();
              for (const [first, second, swap] of steps) {
                clock.now += 1;
                const s = await readState(a);
                const [x, y] = swap ? [two, one] : [one, two];
                const ran = await Promise.all([runEvent(first, x, s, clock, sockets), second ? runEvent(second, y, s, clock, sockets) : new Set<string>()]);
                const byPeople = new Set([...ran[0], ...ran[1]]);
                const t = await readState(b);
                expect(checkRouting(s, t, byPeople, { concurrent: second !== null, passesExpired: expiresPasses(first, second) }), JSON.stringify([first, second])).toEqual([]);
              }
            });
          },
        ),
        { numRuns: 15 },
      );
    }, 240_000);
  }
});
