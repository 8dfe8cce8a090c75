import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import { checkRouting, readState, routingEvent, runEvent, type Sockets } from './routing-history.ts';
import { Clock, Instance, seedQueue } from './routing-world.ts';

describe('routing over generated histories (SQLite)', () => {
  for (const mode of ['assign', 'offer'] as const) {
    it(`${mode} mode: eligible agents only, FIFO, never over capacity, nothing waits while someone has room`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(routingEvent, { minLength: 5, maxLength: 40 }), async (events) => {
          const storage = openSqliteStorage({ file: ':memory:' });
          const clock = new Clock();
          await storage.transaction((tx) => seedQueue(tx, mode));
          const instance = await Instance.open(storage, clock, 'a');
          const sockets: Sockets = new Map();
          try {
            for (const event of events) {
              clock.now += 1;
              const s = await readState(storage);
              const byPeople = await runEvent(event, instance, s, clock, sockets);
              const t = await readState(storage);
              expect(checkRouting(s, t, byPeople, { concurrent: false }), JSON.stringify(event)).toEqual([]);
            }
          } finally {
            await instance.close();
            await storage.close();
          }
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }
});
