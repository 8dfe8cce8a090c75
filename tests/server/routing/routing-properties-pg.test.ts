import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { checkRouting, readState, routingEvent, runEvent, type Sockets } from './routing-history.ts';
import { Clock, Instance, seedQueue } from './routing-world.ts';

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

describe('routing over generated histories, two instances on PostgreSQL', () => {
  for (const mode of ['assign', 'offer'] as const) {
    it(`${mode} mode: the four properties hold with interleaved events`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(routingEvent, fc.option(routingEvent, { nil: null }), fc.boolean()), { minLength: 4, maxLength: 18 }),
          async (steps) => {
            const schema = uniqueSchema();
            const a = await openPostgresStorage({ url: db.url, schema, poolSize: 4 });
            const b = await openPostgresStorage({ url: db.url, schema, poolSize: 4 });
            const clock = new Clock();
            await a.transaction((tx) => seedQueue(tx, mode));
            const one = await Instance.open(a, clock, 'a');
            const two = await Instance.open(b, clock, 'b');
            const sockets: Sockets = new Map();
            try {
              for (const [first, second, swap] of steps) {
                clock.now += 1;
                const s = await readState(a);
                const [x, y] = swap ? [two, one] : [one, two];
                const ran = await Promise.all([runEvent(first, x, s, clock, sockets), second ? runEvent(second, y, s, clock, sockets) : new Set<string>()]);
                const byPeople = new Set([...ran[0], ...ran[1]]);
                const t = await readState(b);
                expect(checkRouting(s, t, byPeople, { concurrent: second !== null }), JSON.stringify([first, second])).toEqual([]);
              }
            } finally {
              await one.close();
              await two.close();
              await a.close();
              await b.close();
            }
          },
        ),
        { numRuns: 15 },
      );
    }, 240_000);
  }
});
