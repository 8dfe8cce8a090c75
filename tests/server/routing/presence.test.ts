import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordId } from '../../../protocol/scope.ts';
import { Domain } from '../../../server/domain/domain.ts';
import { openPostgresStorage } from '../../../server/storage/postgres/postgres-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { createTestDatabase, uniqueSchema, type TestDatabase } from '../support/postgres.ts';
import { AGENTS, CHANNEL, Clock, QUEUE, seedQueue, SUPERVISOR } from './routing-world.ts';

/** Presence across instances (issue 10 §1): two Domains on one PostgreSQL schema, one injected clock. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const A1 = AGENTS[0];
const LEASE = 30_000;
const GRACE = 60_000; // seedQueue's disconnectGraceMs

async function world(): Promise<{ a: Storage; b: Storage; one: Domain; two: Domain; clock: Clock; close(): Promise<void> }> {
  const schema = uniqueSchema();
  const a = await openPostgresStorage({ url: db.url, schema, poolSize: 3 });
  const b = await openPostgresStorage({ url: db.url, schema, poolSize: 3 });
  const clock = new Clock();
  await a.transaction((tx) => seedQueue(tx, 'assign', 2));
  const one = await Domain.open({ storage: a, clock: clock.read, routing: { instanceId: 'inst_one', presenceLeaseMs: LEASE } });
  const two = await Domain.open({ storage: b, clock: clock.read, routing: { instanceId: 'inst_two', presenceLeaseMs: LEASE } });
  return {
    a, b, one, two, clock,
    close: async () => {
      for (const d of [one, two]) {
        await d.routing.stop();
        d.close();
      }
      await a.close();
      await b.close();
    },
  };
}

const agent = (s: Storage) => s.transaction((tx) => tx.get('queueAgent', recordId.queueAgent(QUEUE, A1)), { kind: 'read' });
const login = async (d: Domain) => {
  const user = await d.user(A1);
  return (await d.applyMutation(user!, 'client_presence', Date.now(), { name: 'queue.login', args: { inboxIds: [QUEUE] } })).result;
};

describe('presence across instances', () => {
  it('connected while a socket is open on either instance; the last close starts the grace, a return within it cancels it', async () => {
    const w = await world();
    try {
      w.one.routing.presence.opened(A1);
      w.two.routing.presence.opened(A1);
      await Promise.all([w.one.routing.settled(), w.two.routing.settled()]);
      expect(await login(w.one)).toEqual({ ok: true });
      expect(await agent(w.a)).toMatchObject({ loggedIn: true, connected: true });

      w.one.routing.presence.closed(A1);
      await w.one.routing.settled();
      expect((await agent(w.b))?.connected).toBe(true); // still a socket on two

      w.clock.now += 1000;
      w.two.routing.presence.closed(A1);
      await w.two.routing.settled();
      expect(await agent(w.a)).toMatchObject({ loggedIn: true, connected: false, since: w.clock.now });
      // While away nothing is routed to them.
      await w.one.receiveInbound({ channelId: CHANNEL, from: '+14155553001', body: 'Hi' });
      expect((await w.a.transaction((tx) => tx.list('conversation', { inboxId: QUEUE }, '', 10)))[0]?.assigneeId).toBeNull();

      w.clock.now += GRACE / 2;
      w.one.routing.presence.opened(A1); // back on the other instance, within the grace
      await w.one.routing.settled();
      expect(await agent(w.b)).toMatchObject({ loggedIn: true, connected: true });
      // Coming back routed what waited to them.
      expect((await w.a.transaction((tx) => tx.list('conversation', { inboxId: QUEUE }, '', 10)))[0]?.assigneeId).toBe(A1);
      w.clock.now += GRACE;
      expect(await w.two.routing.runDueTimers()).toBe(0);
      expect((await agent(w.a))?.loggedIn).toBe(true);

      w.one.routing.presence.closed(A1);
      await w.one.routing.settled();
      w.clock.now += GRACE;
      expect(await w.two.routing.runDueTimers()).toBe(1);
      expect(await agent(w.a)).toMatchObject({ loggedIn: false, loggedOutReason: 'disconnected' });
      // Unanswered, so back in the queue; the supervisor is told why the agent left.
      expect((await w.a.transaction((tx) => tx.list('conversation', { inboxId: QUEUE }, '', 10)))[0]?.assigneeId).toBeNull();
      const told = await w.a.transaction((tx) => tx.list('notice', { userId: SUPERVISOR }, '', 10), { kind: 'read' });
      expect(told).toEqual([expect.objectContaining({ kind: 'routingLoggedOut', reason: 'disconnected', actorId: A1 })]);
    } finally {
      await w.close();
    }
  }, 60_000);

  it('an instance that died loses its presence rows when their lease runs out: the agent is disconnected, then logged out after the grace', async () => {
    const w = await world();
    try {
      w.one.routing.presence.opened(A1);
      await w.one.routing.settled();
      expect(await login(w.one)).toEqual({ ok: true });
      // Instance one dies: no close, no more heartbeats. Two keeps beating.
      w.clock.now += LEASE - 1;
      await w.two.routing.renewPresence();
      expect((await agent(w.b))?.connected).toBe(true);
      w.clock.now += 2;
      await w.two.routing.renewPresence();
      expect(await agent(w.b)).toMatchObject({ loggedIn: true, connected: false });
      w.clock.now += GRACE;
      expect(await w.two.routing.runDueTimers()).toBe(1);
      expect(await agent(w.b)).toMatchObject({ loggedIn: false, loggedOutReason: 'disconnected' });
    } finally {
      await w.close();
    }
  }, 60_000);
});
