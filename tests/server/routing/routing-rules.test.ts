import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordId, scope } from '../../../protocol/scope.ts';
import { openSqliteStorage } from '../../../server/storage/sqlite/sqlite-storage.ts';
import type { Storage } from '../../../server/storage/storage.ts';
import { AGENTS, CHANNEL, Clock, Instance, ORG, QUEUE, seedQueue, SUPERVISOR } from './routing-world.ts';

const [A1, A2] = AGENTS as unknown as [string, string];
let storage: Storage;
let clock: Clock;
let server: Instance;

async function start(mode: 'assign' | 'offer', capacity = 2): Promise<void> {
  storage = openSqliteStorage({ file: ':memory:' });
  clock = new Clock();
  await storage.transaction((tx) => seedQueue(tx, mode, capacity));
  server = await Instance.open(storage, clock, 'a');
}
beforeEach(() => start('assign'));
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
  return (await server.domain.receiveInbound({ channelId: CHANNEL, from: `+1415555${4000 + n}`, body: 'Hello' })).conversationId;
};
const conv = (id: string) => storage.transaction((tx) => tx.get('conversation', id), { kind: 'read' });
const agent = (userId: string) => storage.transaction((tx) => tx.get('queueAgent', recordId.queueAgent(QUEUE, userId)), { kind: 'read' });

describe('routing rules', () => {
  it('logging out returns unanswered conversations with their place in line and keeps those in progress, flagged', async () => {
    await online(A1);
    const first = await arrive(1);
    const second = await arrive(2);
    const waitedSince = (await conv(first))?.routing?.waitingSince;
    expect((await conv(first))?.assigneeId).toBe(A1);
    clock.now += 1;
    expect(await server.apply(A1, { name: 'message.send', args: { conversationId: second, messageId: 'reply_1', body: 'On it', attachments: [] } })).toEqual({ ok: true });
    expect((await conv(second))?.routing?.firstResponseAt).toBe(clock.now);
    expect(await server.apply(A2, { name: 'queue.logout', args: { inboxIds: [QUEUE], userId: A1 } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await server.apply(SUPERVISOR, { name: 'queue.logout', args: { inboxIds: [QUEUE], userId: A1 } })).toEqual({ ok: true });
    expect(await agent(A1)).toMatchObject({ loggedIn: false, loggedOutReason: 'supervisor' });
    expect(await conv(first)).toMatchObject({ assigneeId: null, routing: { waitingSince: waitedSince } });
    expect(await conv(second)).toMatchObject({ assigneeId: A1, routing: { inProgressWhenLoggedOut: true } });
    // The returned one goes on to the next agent at once, keeping its original waiting time.
    await online(A2);
    expect(await conv(first)).toMatchObject({ assigneeId: A2, routing: { waitingSince: waitedSince, handledBy: [A1, A2] } });
  });

  it('a hand assignment counts against capacity; closing frees the slot and the oldest waiting conversation fills it', async () => {
    await server.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: A1, capacity: 1 } });
    const first = await arrive(1);
    await server.apply(SUPERVISOR, { name: 'conversation.assign', args: { conversationId: first, assigneeId: A1 } });
    await online(A1);
    const second = await arrive(2);
    const third = await arrive(3);
    expect((await conv(second))?.assigneeId).toBeNull();
    expect(await server.apply(A1, { name: 'conversation.setStatus', args: { conversationId: first, status: 'closed' } })).toEqual({ ok: true });
    expect((await conv(second))?.assigneeId).toBe(A1);
    expect((await conv(third))?.assigneeId).toBeNull();
  });

  it('offers: only the offered agent may accept or decline; a decline passes it to the next agent', async () => {
    await server.close();
    await storage.close();
    await start('offer');
    await online(A1, A2);
    const id = await arrive(1);
    const offeredTo = (await conv(id))?.routing?.offer?.userId;
    const other = offeredTo === A1 ? A2 : A1;
    expect(await server.apply(other, { name: 'offer.accept', args: { conversationId: id } })).toMatchObject({ ok: false, code: 'conflict' });
    expect(await server.apply(offeredTo!, { name: 'offer.decline', args: { conversationId: id } })).toEqual({ ok: true });
    expect((await conv(id))?.routing?.offer?.userId).toBe(other);
    expect(await server.apply(other, { name: 'offer.accept', args: { conversationId: id } })).toEqual({ ok: true });
    expect(await conv(id)).toMatchObject({ assigneeId: other, routing: { offer: null, handledBy: [other] } });
    const offeredNotices = await storage.transaction((tx) => tx.list('notice', { userId: other }, '', 10), { kind: 'read' });
    expect(offeredNotices.map((n) => n.kind)).toContain('offered');
  });

  it('queue settings are for managers and admins; capacities for supervisors too', async () => {
    expect(await server.apply(SUPERVISOR, { name: 'queue.settings', args: { inboxId: QUEUE, settings: { mode: 'offer' } } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await server.apply(A1, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: null, capacity: 5 } })).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await server.apply(SUPERVISOR, { name: 'queue.setCapacity', args: { inboxId: QUEUE, userId: null, capacity: 5 } })).toEqual({ ok: true });
    expect((await storage.transaction((tx) => tx.get('inbox', QUEUE), { kind: 'read' }))?.queue?.defaultCapacity).toBe(5);
    expect(await server.apply(A1, { name: 'queue.login', args: { inboxIds: ['inbox_nope'] } })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('a manager of a Contact Center organisation creates an inbox queue with the default settings; an agent cannot', async () => {
    const create = { name: 'inbox.create' as const, args: { inboxId: 'queue_new', name: 'New queue', assignmentMode: false, kind: 'queue' as const } };
    expect(await server.apply(A1, create)).toMatchObject({ ok: false, code: 'forbidden' });
    await storage.transaction(async (tx) => tx.put('user', { ...(await tx.get('user', SUPERVISOR))!, role: 'manager' }));
    expect(await server.apply(SUPERVISOR, create)).toEqual({ ok: true });
    expect(await storage.transaction((tx) => tx.get('inbox', 'queue_new'), { kind: 'read' })).toMatchObject({ kind: 'queue', assignmentMode: true, queue: { mode: 'assign', defaultCapacity: 3 } });
    await storage.transaction((tx) => tx.setOrgEdition(ORG, 'customer_engagement'));
    expect(await server.apply(SUPERVISOR, { ...create, args: { ...create.args, inboxId: 'queue_ce' } })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('writes the org record to the org scope at open (once per database)', async () => {
    const entries = await storage.transaction((tx) => tx.readChanges(0, [scope.org(ORG)], 100), { kind: 'read' });
    // seedQueue ran before the domain opened: the backfill published it.
    expect(entries.filter((e) => e.entity === 'org')).toEqual([expect.objectContaining({ op: 'put', record: expect.objectContaining({ id: ORG, edition: 'contact_center' }) })]);
  });
});
