import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { AGENTS, CHANNEL, Clock, Instance, QUEUE, seedQueue } from './routing-world.ts';

/** Issue 10 §2 "On decline or timeout it goes to the next agent": who passed a conversation does not get it back. */
const [A1, A2, A3] = AGENTS as unknown as [string, string, string];
let storage: Storage;
let clock: Clock;
let server: Instance;

beforeEach(async () => {
  storage = openSqliteStorage({ file: ':memory:' });
  clock = new Clock();
  await storage.transaction((tx) => seedQueue(tx, 'offer', 2));
  server = await Instance.open(storage, clock, 'a');
});
afterEach(async () => {
  await server.close();
  await storage.close();
});

const online = async (...agents: string[]) => {
  for (const a of agents) {
    server.domain.routing.presence.opened(a);
    await server.domain.routing.settled();
    expect(await server.apply(a, { name: 'queue.login', args: { inboxIds: [QUEUE] } })).toEqual({ ok: true });
  }
};
const arrive = async (n: number) => {
  clock.now += 1;
  return (await server.domain.receiveInbound({ channelId: CHANNEL, from: `+1415555${5000 + n}`, body: 'Hello' })).conversationId;
};
const conv = (id: string) => storage.transaction((tx) => tx.get('conversation', id), { kind: 'read' });
const offeredTo = async (id: string) => (await conv(id))?.routing?.offer?.userId ?? null;
const decline = async (userId: string, conversationId: string) => {
  clock.now += 1;
  expect(await server.apply(userId, { name: 'offer.decline', args: { conversationId } })).toEqual({ ok: true });
};

describe('passing an offer', () => {
  it('a declined conversation never comes straight back: it waits while only passers have room, a newcomer gets it at once', async () => {
    await online(A1, A2);
    const first = await arrive(1);
    const x = (await offeredTo(first))!;
    const y = x === A1 ? A2 : A1;
    await decline(x, first);
    expect(await offeredTo(first)).toBe(y);
    await decline(y, first);
    // Both have room, both passed: it waits (not offered back to either).
    expect((await conv(first))?.routing).toMatchObject({ offer: null, passedBy: [x, y] });
    // FIFO with exclusions: a later conversation goes to them, the first still waits.
    const second = await arrive(2);
    expect([x, y]).toContain(await offeredTo(second));
    expect(await offeredTo(first)).toBeNull();
    // Someone who has not passed it logs in and gets it at once.
    await online(A3);
    expect(await offeredTo(first)).toBe(A3);
    expect(await server.apply(A3, { name: 'offer.accept', args: { conversationId: first } })).toEqual({ ok: true });
    // Assigned: the list is cleared (it is not part of a later waiting spell).
    expect((await conv(first))?.routing?.passedBy).toBeUndefined();
    expect((await conv(first))?.assigneeId).toBe(A3);
  });

  it('when everyone with room passed it, they get it again one offer timeout after the last pass', async () => {
    await online(A1, A2);
    const id = await arrive(1);
    const x = (await offeredTo(id))!;
    await decline(x, id);
    const y = (await offeredTo(id))!;
    await decline(y, id);
    clock.now += 29_999;
    expect(await server.domain.routing.runDueTimers()).toBe(0);
    expect(await offeredTo(id)).toBeNull();
    clock.now += 1;
    expect(await server.domain.routing.runDueTimers()).toBe(1);
    const again = await conv(id);
    expect(again?.routing?.passedBy).toBeUndefined();
    // Offered again to whoever was routed to longest ago: x (y was offered it after x).
    expect(again?.routing?.offer).toMatchObject({ userId: x, offeredAt: clock.now });
  });

  it('a timed-out offer counts as a pass; closing the conversation clears the list', async () => {
    await online(A1);
    const id = await arrive(1);
    clock.now += 30_000;
    await server.domain.routing.runDueTimers();
    expect((await conv(id))?.routing).toMatchObject({ offer: null, passedBy: [A1] });
    await online(A2);
    expect(await offeredTo(id)).toBe(A2);
    expect(await server.apply(A2, { name: 'offer.accept', args: { conversationId: id } })).toEqual({ ok: true });
    expect(await server.apply(A2, { name: 'conversation.setStatus', args: { conversationId: id, status: 'closed' } })).toEqual({ ok: true });
    expect((await conv(id))?.routing?.passedBy).toBeUndefined();
    // The stale passes timer does nothing.
    clock.now += 60_000;
    await server.domain.routing.runDueTimers();
    expect(await conv(id)).toMatchObject({ status: 'closed', assigneeId: A2 });
  });
});
