import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordId } from '../../../protocol/scope.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { tempDir } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { AGENTS, CHANNEL, Clock, Instance, loginToQueue, QUEUE, seedQueue, SUPERVISOR, withTwoInstancesOnPostgres } from './routing-world.ts';

const [A1, A2] = AGENTS;
const agentOf = (storage: Storage, userId: string) => storage.transaction((tx) => tx.get('queueAgent', recordId.queueAgent(QUEUE, userId)), { kind: 'read' });
const conversations = (storage: Storage) => storage.transaction((tx) => tx.list('conversation', { inboxId: QUEUE }, '', 100), { kind: 'read' });
const notices = (storage: Storage, userId: string) => storage.transaction((tx) => tx.list('notice', { userId }, '', 100), { kind: 'read' });

describe('offer timeouts are durable timers', () => {
  it('an offer whose timer came due while the server was down times out after the restart and goes to the next agent', async () => {
    const dir = tempDir();
    const file = join(dir.path, 'routing.sqlite');
    const clock = new Clock();
    try {
      let storage = openSqliteStorage({ file });
      await storage.transaction((tx) => seedQueue(tx, 'offer', 1));
      let instance = await Instance.open(storage, clock, 'a');
      await loginToQueue(instance, A1!);
      await instance.domain.receiveInbound({ channelId: CHANNEL, from: '+14155551001', body: 'Hi' });
      const [offered] = await conversations(storage);
      expect(offered?.routing?.offer).toMatchObject({ userId: A1, expiresAt: clock.now + 30_000 });
      // A2 logs in while A1 holds the offer (A2 has room but nothing waits unoffered).
      await loginToQueue(instance, A2!);
      // Crash: nothing fires and nothing is given up (no stop); the timer is in the database.
      instance.domain.close();
      await storage.close();

      clock.now += 31_000;
      storage = openSqliteStorage({ file });
      instance = await Instance.open(storage, clock, 'b');
      // Presence rows of the dead process keep their lease in this test (an hour): A2 still counts as connected.
      expect(await instance.domain.routing.runDueTimers()).toBe(1);
      const [after] = await conversations(storage);
      expect(after?.routing?.offer).toMatchObject({ userId: A2, offeredAt: clock.now });
      expect((await agentOf(storage, A1!))?.missedOffers).toBe(1);
      expect(await instance.domain.routing.runDueTimers()).toBe(0);
      await instance.close();
      await storage.close();
    } finally {
      dir.remove();
    }
  });

  it('the third timeout in a row logs the agent out of routing, with notices to them and to the supervisor', async () => {
    const storage = openSqliteStorage({ file: ':memory:' });
    const clock = new Clock();
    await storage.transaction((tx) => seedQueue(tx, 'offer', 1));
    const instance = await Instance.open(storage, clock, 'a');
    try {
      await loginToQueue(instance, A1!);
      await instance.domain.receiveInbound({ channelId: CHANNEL, from: '+14155551001', body: 'Hi' });
      for (let i = 1; i <= 3; i++) {
        clock.now += 30_000;
        await instance.domain.routing.runDueTimers();
        expect((await agentOf(storage, A1!))?.missedOffers).toBe(i);
        if (i === 3) break;
        // A1 let it pass and nobody else is there: it waits one offer timeout, then A1 gets it again.
        const [passed] = await conversations(storage);
        expect(passed?.routing).toMatchObject({ offer: null, passedBy: [A1] });
        clock.now += 30_000;
        await instance.domain.routing.runDueTimers();
        const [again] = await conversations(storage);
        expect(again?.routing?.offer).toMatchObject({ userId: A1, offeredAt: clock.now });
        expect(again?.routing?.passedBy).toBeUndefined();
      }
      const agent = await agentOf(storage, A1!);
      expect(agent).toMatchObject({ loggedIn: false, loggedOutReason: 'missedOffers' });
      const [waiting] = await conversations(storage);
      expect(waiting).toMatchObject({ assigneeId: null, routing: { offer: null } });
      expect((await notices(storage, A1!)).filter((n) => n.kind === 'routingLoggedOut')).toHaveLength(1);
      expect(await notices(storage, SUPERVISOR)).toEqual([expect.objectContaining({ kind: 'routingLoggedOut', reason: 'missedOffers', actorId: A1, inboxId: QUEUE })]);
    } finally {
      await instance.close();
      await storage.close();
    }
  });
});

describe('timers with two instances on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('both firing at the same moment: every due offer times out exactly once', async () => {
    await withTwoInstancesOnPostgres(db.url, { mode: 'offer', capacity: 3, poolSize: 4 }, async ({ a, clock, one, two }) => {
      await loginToQueue(one, ...AGENTS);
      for (let i = 0; i < 8; i++) await one.domain.receiveInbound({ channelId: CHANNEL, from: `+1415555${2000 + i}`, body: 'Hi' });
      const offered = (await conversations(a)).filter((c) => c.routing?.offer);
      expect(offered).toHaveLength(8);
      clock.now += 30_000;
      const [x, y] = await Promise.all([one.domain.routing.runDueTimers(), two.domain.routing.runDueTimers()]);
      expect(x + y).toBe(8);
      const missed = await Promise.all(AGENTS.map(async (agent) => (await agentOf(a, agent))?.missedOffers ?? 0));
      expect(missed.reduce((sum, n) => sum + n, 0)).toBe(8);
    });
  }, 60_000);
});
