import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENTS, SqliteQueue } from './routing-world.ts';

/** Issue 10 §2 "On decline or timeout it goes to the next agent": who passed a conversation does not get it back. */
const [A1, A2, A3] = AGENTS as unknown as [string, string, string];
let world: SqliteQueue;

beforeEach(async () => {
  world = await SqliteQueue.open('offer', 2, 5000);
});
afterEach(() => world.close());

const offeredTo = async (id: string) => (await world.conv(id))?.routing?.offer?.userId ?? null;
const decline = async (userId: string, conversationId: string) => {
  world.clock.now += 1;
  expect(await world.server.apply(userId, { name: 'offer.decline', args: { conversationId } })).toEqual({ ok: true });
};

describe('passing an offer', () => {
  it('a declined conversation never comes straight back: it waits while only passers have room, a newcomer gets it at once', async () => {
    await world.online(A1, A2);
    const first = await world.arrive(1);
    const x = (await offeredTo(first))!;
    const y = x === A1 ? A2 : A1;
    await decline(x, first);
    expect(await offeredTo(first)).toBe(y);
    await decline(y, first);
    // Both have room, both passed: it waits (not offered back to either).
    expect((await world.conv(first))?.routing).toMatchObject({ offer: null, passedBy: [x, y] });
    // FIFO with exclusions: a later conversation goes to them, the first still waits.
    const second = await world.arrive(2);
    expect([x, y]).toContain(await offeredTo(second));
    expect(await offeredTo(first)).toBeNull();
    // Someone who has not passed it logs in and gets it at once.
    await world.online(A3);
    expect(await offeredTo(first)).toBe(A3);
    expect(await world.server.apply(A3, { name: 'offer.accept', args: { conversationId: first } })).toEqual({ ok: true });
    // Assigned: the list is cleared (it is not part of a later waiting spell).
    expect((await world.conv(first))?.routing?.passedBy).toBeUndefined();
    expect((await world.conv(first))?.assigneeId).toBe(A3);
  });

  it('when everyone with room passed it, they get it again one offer timeout after the last pass', async () => {
    await world.online(A1, A2);
    const id = await world.arrive(1);
    const x = (await offeredTo(id))!;
    await decline(x, id);
    const y = (await offeredTo(id))!;
    await decline(y, id);
    world.clock.now += 29_999;
    expect(await world.server.domain.routing.runDueTimers()).toBe(0);
    expect(await offeredTo(id)).toBeNull();
    world.clock.now += 1;
    expect(await world.server.domain.routing.runDueTimers()).toBe(1);
    const again = await world.conv(id);
    expect(again?.routing?.passedBy).toBeUndefined();
    // Offered again to whoever was routed to longest ago: x (y was offered it after x).
    expect(again?.routing?.offer).toMatchObject({ userId: x, offeredAt: world.clock.now });
  });

  it('a timed-out offer counts as a pass; closing the conversation clears the list', async () => {
    await world.online(A1);
    const id = await world.arrive(1);
    world.clock.now += 30_000;
    await world.server.domain.routing.runDueTimers();
    expect((await world.conv(id))?.routing).toMatchObject({ offer: null, passedBy: [A1] });
    await world.online(A2);
    expect(await offeredTo(id)).toBe(A2);
    expect(await world.server.apply(A2, { name: 'offer.accept', args: { conversationId: id } })).toEqual({ ok: true });
    expect(await world.server.apply(A2, { name: 'conversation.setStatus', args: { conversationId: id, status: 'closed' } })).toEqual({ ok: true });
    expect((await world.conv(id))?.routing?.passedBy).toBeUndefined();
    // The stale passes timer does nothing.
    world.clock.now += 60_000;
    await world.server.domain.routing.runDueTimers();
    expect(await world.conv(id)).toMatchObject({ status: 'closed', assigneeId: A2 });
  });
});
